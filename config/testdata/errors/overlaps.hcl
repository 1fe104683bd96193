# Issue 12 §1 and issue 19: a dial tone or recovery database whose files or folders
# overlap another database's (any server's) is refused, with the path aliases Windows
# resolves (case, trailing dots and spaces) seen through, and ambiguous names refused.

server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

server "EX02" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB01\\DB01.edb"
  log_folder_path = "D:\\Databases\\DB01\\Logs"
}

database "DB02" {
  server          = server.EX02
  edb_file_path   = "E:\\Recovery\\OTHER-RDB\\DB02.edb"
  log_folder_path = "E:\\Recovery\\OTHER-RDB\\Logs"
}

recovery "r1" {
  database = database.DB01
  option   = "alternate_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX02
    edb_file_path   = "d:\\databases\\db01\\LOGS. \\DTDB01.edb" # ERROR: Files overlap another database's
    log_folder_path = "E:\\DialTone\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    edb_file_path   = "E:\\Recovery\\DTDB01.edb"
    log_folder_path = "E:\\Recovery" # ERROR: Files overlap another database's
  }

  restore {
    backup = "nightly"
  }
}

database "DB03" {
  server          = server.EX01
  edb_file_path   = "F:\\DB03\\DB03.edb"
  log_folder_path = "F:\\DB03\\Logs"
}

recovery "r3" {
  database = database.DB03
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB03"
    server          = server.EX01
    edb_file_path   = "G:\\DT\\DTDB03.edb"
    log_folder_path = "G:\\PROGRA~1\\Logs" # ERROR: Ambiguous path
  }

  recovery_database {
    name            = "RDB03"
    edb_file_path   = "G:\\Recovery\\DB03.edb"
    log_folder_path = "F:\\DB03\\Logs\\RDB03" # ERROR: Files overlap another database's
  }

  restore {
    backup = "nightly"
  }
}
