server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

server "EX16" {
  edition = "enterprise"
  version = "15.1.2507.6"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

recovery "r1" {
  database = database.DB01
  option   = "alternate_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX16 # ERROR: Exchange version mismatch
    edb_file_path   = "E:\\DT\\DTDB01.edb"
    log_folder_path = "E:\\DT\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    server          = server.EX16 # ERROR: Exchange version mismatch
    edb_file_path   = "F:\\RDB\\DTDB01.edb"
    log_folder_path = "F:\\RDB\\Logs"
  }

  restore {
    backup = "nightly"
  }
}
