server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

recovery "r1" {
  database = database.DB01
  option   = "same-server" # ERROR: Invalid recovery option
  stage    = "done"        # ERROR: Invalid recovery stage

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX01
    edb_file_path   = "E:\\DT\\DTDB01.edb"
    log_folder_path = "E:\\DT\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    edb_file_path   = "F:\\RDB01\\DB01.edb"
    log_folder_path = "F:\\RDB01\\Logs"
  }

  restore {
    backup      = "nightly"
    replay_logs = "sometimes" # ERROR: Unsuitable value type
  }

  merge {
    conflict_resolution = "keepsourceitem" # ERROR: Invalid conflict resolution
    bad_item_limit      = 1001             # ERROR: Invalid bad item limit
    priority            = ["ceo@contoso.com", "not-an-address", "CEO@contoso.com"] # ERROR: Invalid mailbox address # WARNING: Duplicate priority address
  }
}

recovery "r-2" { # ERROR: Missing recovery_database block
  database = database.DB02 # ERROR: Reference to undeclared database
  option   = "alternate_server_stay"
  stage    = "" # ERROR: Invalid recovery stage

  dial_tone_database {
    name            = "DTDB02"
    server          = server.EX01
    edb_file_path   = "E:\\DT2\\DTDB02.edb"
    log_folder_path = "E:\\DT2\\Logs"
  }

  restore {
    backup = "nightly"
  }

  merge {
    bad_item_limit = 1.5        # ERROR: Invalid number
    priority       = "ceo@x.com" # ERROR: Invalid priority list
  }
}

recovery "9lives" { # ERROR: Invalid recovery name
  database = database.DB01 # ERROR: Database recovered twice
  option   = "alternate_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB03"
    server          = server.EX01 # ERROR: Dial tone database on the failed database's server
    edb_file_path   = "E:\\DT3\\DTDB03.edb"
    log_folder_path = "E:\\DT3\\Logs"
  }

  recovery_database {
    name            = "RDB03"
    edb_file_path   = "F:\\RDB03\\DTDB03.edb"
    log_folder_path = "F:\\RDB03\\Logs"
  }

  restore {
    backup = "nightly"
  }

  merge {
    bad_item_limit = -1 # ERROR: Invalid bad item limit
  }
}
