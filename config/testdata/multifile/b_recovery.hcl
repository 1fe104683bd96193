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
    name            = "db01"
    edb_file_path   = "F:\\RDB\\DB01.edb"
    log_folder_path = "F:\\RDB\\Logs"
  }

  restore {
    backup = "nightly"
  }
}
