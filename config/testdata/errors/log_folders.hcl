server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\Logs\\Shared"
}

database "DB02" {
  server          = server.EX01
  edb_file_path   = "D:\\DB02\\DB02.edb"
  log_folder_path = "d:\\logs\\shared\\" # ERROR: Shared log folder
}

recovery "r1" {
  database = database.DB01
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX01
    edb_file_path   = "E:\\DT\\DTDB01.edb"
    log_folder_path = "E:\\DT\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    edb_file_path   = "D:\\DB01\\DB01.edb" # ERROR: Shared database file
    log_folder_path = "E:\\DT\\Logs" # ERROR: Shared log folder
  }

  restore {
    backup = "nightly"
  }
}
