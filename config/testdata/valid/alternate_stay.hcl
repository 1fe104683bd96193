# alternate_server_stay twice on a second server of the same schema version: db01
# swaps on EX02 (recovery database defaulting to EX02), db02 merges forward (no swap),
# and DB03 has no backup: the loss of its old mail is written down.
server "EX01" {
  site                     = "HQ"
  edition                  = "enterprise"
  version                  = "15.2.1544.4"
  schema_version           = "0.132"
  capacity                 = "2TB"
  maximum_active_databases = 20
}

server "EX02" {
  site           = "DR"
  edition        = "enterprise"
  version        = "15.2.1748.10"
  schema_version = "0.132"
  capacity       = "1.5tb"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

database "DB02" {
  server          = server.EX01
  edb_file_path   = "D:\\DB02\\DB02.edb"
  log_folder_path = "D:\\DB02\\Logs"
}

database "DB03" {
  server          = server.EX01
  edb_file_path   = "D:\\DB03\\DB03.edb"
  log_folder_path = "D:\\DB03\\Logs"
}

recovery "db01" {
  database = database.DB01
  option   = "alternate_server_stay"
  stage    = "swapped"
  priority = 0

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX02
    edb_file_path   = "E:\\DT\\DTDB01\\DTDB01.edb"
    log_folder_path = "E:\\DT\\DTDB01\\Logs"
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

recovery "db02" {
  database = database.DB02
  option   = "alternate_server_stay"
  stage    = "merged"
  swap     = false

  dial_tone_database {
    name            = "DTDB02"
    server          = server.EX02
    edb_file_path   = "E:\\DT\\DTDB02\\DTDB02.edb"
    log_folder_path = "E:\\DT\\DTDB02\\Logs"
  }

  recovery_database {
    name            = "RDB02"
    server          = server.EX02
    edb_file_path   = "F:\\RDB02\\DB02.edb"
    log_folder_path = "F:\\RDB02\\Logs"
  }

  restore {
    backup = "weekly"
  }
}

recovery "db03" {
  database = database.DB03
  option   = "alternate_server"
  stage    = "dial_tone"
  priority = 1000
  swap     = true

  dial_tone_database {
    name            = "DTDB03"
    server          = server.EX02
    edb_file_path   = "E:\\DT\\DTDB03\\DTDB03.edb"
    log_folder_path = "E:\\DT\\DTDB03\\Logs"
  }

  recovery_database {
    name            = "RDB03"
    edb_file_path   = "F:\\RDB03\\DTDB03.edb"
    log_folder_path = "F:\\RDB03\\Logs"
  }

  restore {
    backup           = "none"
    replay_logs      = false
    accept_data_loss = true
  }
}

# A site failure: every recovery of EX01's databases, by priority.
drill "ex01-down" {
  failure   = server.EX01
  mode      = "server_down"
  mailboxes = 10
}

drill "db02-bad-items" {
  failure   = database.DB02
  mode      = "bad_items"
  mailboxes = 5
  bad_items = 0
  recovery  = recovery.db02
}

drill "db01-crash" {
  failure   = database.DB01
  mode      = "crash_during_swap"
  mailboxes = 5
  recovery  = null
}
