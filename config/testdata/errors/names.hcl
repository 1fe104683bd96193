server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01234567890123456789012345678901234567890123456789012345678901234" { # ERROR: Database name too long
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01234567890123456789012345678901234567890123456789012345678901234.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

database "DB:02" { # ERROR: Invalid database name
  server          = server.EX01
  edb_file_path   = "D:\\DB02\\DB02.edb"
  log_folder_path = "D:\\DB02\\Logs"
}

database "DB03" {
  server          = server.EX01
  edb_file_path   = "D:\\DB03\\DB03.edb"
  log_folder_path = "D:\\DB03\\Logs"
}

recovery "r1" {
  database = database.DB03
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DT|03" # ERROR: Invalid database name
    server          = server.EX01
    edb_file_path   = "E:\\DT\\DT03.edb"
    log_folder_path = "E:\\DT\\Logs"
  }

  recovery_database {
    name            = "" # ERROR: Invalid database name
    edb_file_path   = "F:\\RDB\\DB03.edb"
    log_folder_path = "F:\\RDB\\Logs"
  }

  restore {
    backup = "nightly"
  }
}
