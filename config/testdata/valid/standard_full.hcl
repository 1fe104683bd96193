# A standard server at its limit: four databases plus the dial tone database make
# five mounted; the recovery database does not count.
server "EX01" {
  edition = "standard"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB\\DB01\\Logs"
}

database "DB02" {
  server          = server.EX01
  edb_file_path   = "D:\\DB\\DB02\\DB02.edb"
  log_folder_path = "D:\\DB\\DB02\\Logs"
}

database "DB03" {
  server          = server.EX01
  edb_file_path   = "D:\\DB\\DB03\\DB03.edb"
  log_folder_path = "D:\\DB\\DB03\\Logs"
}

database "DB04" {
  server          = server.EX01
  edb_file_path   = "D:\\DB\\DB04\\DB04.edb"
  log_folder_path = "D:\\DB\\DB04\\Logs"
}

recovery "r1" {
  database = database.DB01
  option   = "same_server"
  stage    = "merged"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX01
    edb_file_path   = "D:\\DialTone\\DTDB01.edb"
    log_folder_path = "D:\\DialTone\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    server          = server.EX01
    edb_file_path   = "E:\\RDB01\\DB01.edb"
    log_folder_path = "E:\\RDB01\\Logs"
  }

  restore {
    backup           = "nightly"
    replay_logs      = false
    accept_data_loss = true
  }

  merge {
    conflict_resolution = "KeepAll"
    bad_item_limit      = 1000
    priority            = ["ceo@contoso.com", "cfo@contoso.com"]
  }
}

drill "r1-lost" {
  failure   = database.DB01
  mode      = "lost"
  mailboxes = 100000
  messages  = { before_backup = 0, during_dial_tone = 7 }
}
