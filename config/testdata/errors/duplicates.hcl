server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

server "ex01" { # ERROR: Duplicate server name
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

database "db01" { # ERROR: Duplicate database name
  server          = server.EX01
  edb_file_path   = "D:\\db01b\\db01.edb"
  log_folder_path = "D:\\db01b\\Logs"
}

recovery "r1" {
  database = database.DB01
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DB01" # ERROR: Duplicate database name
    server          = server.EX01
    edb_file_path   = "E:\\DT\\DB01.edb"
    log_folder_path = "E:\\DT\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    edb_file_path   = "F:\\RDB01\\DB01.edb"
    log_folder_path = "F:\\RDB01\\Logs"
  }

  restore {
    backup = "nightly"
  }
}

recovery "r1" { # ERROR: Duplicate recovery name
  database = database.DB01
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB02"
    server          = server.EX01
    edb_file_path   = "E:\\DT2\\DTDB02.edb"
    log_folder_path = "E:\\DT2\\Logs"
  }

  recovery_database {
    name            = "RDB01" # ERROR: Duplicate database name
    edb_file_path   = "F:\\RDB01b\\DB01.edb"
    log_folder_path = "F:\\RDB01b\\Logs"
  }

  restore {
    backup = "nightly"
  }
}

drill "d1" {
  failure   = database.DB01
  mode      = "lost"
  mailboxes = 10
}

drill "d1" { # ERROR: Duplicate drill name
  failure   = database.DB01
  mode      = "lost"
  mailboxes = 10
}
