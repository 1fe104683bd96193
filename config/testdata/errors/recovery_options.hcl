# Option-dependent placement, priority, swap and the restore's data-loss decision.
server "EX01" {
  edition        = "enterprise"
  version        = "15.2.1544.4"
  schema_version = "0.132"
}

server "EX02" {
  edition        = "enterprise"
  version        = "15.2.1748.10"
  schema_version = "0.132"
}

server "EX03" {
  edition        = "enterprise"
  version        = "15.2.1544.4"
  schema_version = "0.131"
}

server "EX04" {
  edition = "enterprise"
  version = "15.2.1544.4"
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

database "DB05" {
  server          = server.EX01
  edb_file_path   = "D:\\DB05\\DB05.edb"
  log_folder_path = "D:\\DB05\\Logs"
}

database "DB04" {
  server          = server.EX01
  edb_file_path   = "D:\\DB04\\DB04.edb"
  log_folder_path = "D:\\DB04\\Logs"
}

# alternate_server: the recovery database is made from the dial tone files.
recovery "r1" {
  database = database.DB01
  option   = "alternate_server"
  stage    = "dial_tone"
  priority = 1001 # ERROR: Invalid recovery priority
  swap     = false # ERROR: Swap required

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX02
    edb_file_path   = "E:\\DT1\\DTDB01.edb"
    log_folder_path = "E:\\DT1\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    server          = server.EX04 # ERROR: Recovery database on an unrelated server
    edb_file_path   = "F:\\RDB01\\DB01.edb" # ERROR: Wrong database file name
    log_folder_path = "F:\\RDB01\\Logs"
  }

  restore {
    backup = "none" # ERROR: Data loss not accepted
  }
}

# alternate_server_stay: the swap happens on the dial tone server.
recovery "r2" {
  database = database.DB02
  option   = "alternate_server_stay"
  stage    = "dial_tone"
  priority = -1 # ERROR: Invalid recovery priority

  dial_tone_database {
    name            = "DTDB02"
    server          = server.EX02
    edb_file_path   = "E:\\DT2\\DTDB02.edb"
    log_folder_path = "E:\\DT2\\Logs"
  }

  recovery_database {
    name            = "RDB02"
    server          = server.EX01 # ERROR: Recovery database not on the dial tone server
    edb_file_path   = "F:\\RDB02\\DTDB02.edb" # ERROR: Wrong database file name
    log_folder_path = "F:\\RDB02\\Logs"
  }

  restore {
    backup      = "nightly"
    replay_logs = false # WARNING: Mail after the backup will be lost
  }
}

recovery "r3" {
  database = database.DB03
  option   = "alternate_server_stay"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB03"
    server          = server.EX01 # ERROR: Dial tone database on the failed database's server
    edb_file_path   = "E:\\DT3\\DTDB03.edb"
    log_folder_path = "E:\\DT3\\Logs"
  }

  recovery_database {
    name            = "RDB03"
    server          = server.EX03 # ERROR: Database schema version mismatch
    edb_file_path   = "F:\\RDB03\\DB03.edb"
    log_folder_path = "F:\\RDB03\\Logs"
  }

  restore {
    backup           = "NONE" # ERROR: Data loss not accepted
    accept_data_loss = false
  }
}

recovery "r4" {
  database = database.DB04
  option   = "same_server"
  stage    = "dial_tone"
  swap     = "no" # ERROR: Unsuitable value type

  dial_tone_database {
    name            = "DTDB04"
    server          = server.EX01
    edb_file_path   = "E:\\DT4\\DTDB04.edb"
    log_folder_path = "E:\\DT4\\Logs"
  }

  recovery_database {
    name            = "RDB04"
    edb_file_path   = "F:\\RDB04\\DB04.edb"
    log_folder_path = "F:\\RDB04\\Logs"
  }

  restore {
    backup           = "nightly"
    accept_data_loss = "yes" # ERROR: Unsuitable value type
  }
}

recovery "r5" {
  database = database.DB05
  option   = "alternate_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB05"
    server          = server.EX03 # ERROR: Database schema version mismatch
    edb_file_path   = "E:\\DT5\\DTDB05.edb"
    log_folder_path = "E:\\DT5\\Logs"
  }

  recovery_database {
    name            = "RDB05"
    edb_file_path   = "F:\\RDB05\\DTDB05.edb"
    log_folder_path = "F:\\RDB05\\Logs"
  }

  restore {
    backup = "nightly"
  }
}
