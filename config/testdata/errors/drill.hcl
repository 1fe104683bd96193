server "EX01" {
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
    name            = "RDB01"
    edb_file_path   = "F:\\RDB\\DB01.edb"
    log_folder_path = "F:\\RDB\\Logs"
  }

  restore {
    backup = "nightly"
  }
}

drill "d1" {
  failure   = database.DB01
  mode      = "server-down" # ERROR: Invalid drill mode
  mailboxes = 0 # ERROR: Invalid mailbox count
  messages = {
    before_backup = -1 # ERROR: Invalid message count
    after_backup  = 5
    during_dialtone = 3 # ERROR: Unknown messages key
    after_backup  = 6 # ERROR: Duplicate messages key
  }
}

drill "d2" {
  failure   = database.DB02 # WARNING: Drill without a recovery
  mode      = "corrupt"
  mailboxes = 100001 # ERROR: Invalid mailbox count
  messages  = [1, 2, 3] # ERROR: Invalid messages
}

drill "d3" {
  failure   = database.DB01
  mode      = "lost"
  mailboxes = 99999999999999999999 # ERROR: Invalid number
  messages  = { before_backup = "many" } # ERROR: Unsuitable value type
}
