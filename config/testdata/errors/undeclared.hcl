server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

server "EX02" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX09 # ERROR: Reference to undeclared server
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

database "DB02" {
  server          = server.EX01
  edb_file_path   = "D:\\DB02\\DB02.edb"
  log_folder_path = "D:\\DB02\\Logs"
}

recovery "r1" {
  database = database.DB09 # ERROR: Reference to undeclared database
  option   = "alternate_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.ex02 # ERROR: Reference to undeclared server
    edb_file_path   = "E:\\DTDB01\\DTDB01.edb"
    log_folder_path = "E:\\DTDB01\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    server          = server.EX03 # ERROR: Reference to undeclared server
    edb_file_path   = "F:\\RDB01\\DTDB01.edb"
    log_folder_path = "F:\\RDB01\\Logs"
  }

  restore {
    backup = "nightly"
  }
}

drill "d1" {
  failure   = database.DTDB01 # ERROR: Reference to undeclared database
  mode      = "lost"
  mailboxes = 10
}
