# Drill: DB01 on EX01 has a passive copy on EX02 (a database availability group). Its
# active copy is lost; the copy on EX02 survives. The plan must refuse a dial tone
# recovery and name the command that brings users back with their mail:
# Move-ActiveMailboxDatabase DB01 -ActivateOnServer EX02.

server "EX01" {
  site    = "HQ"
  edition = "enterprise"
  version = "15.2.1544.4"
}

server "EX02" {
  site    = "HQ"
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB01\\DB01.edb"
  log_folder_path = "D:\\Databases\\DB01\\Logs"
  copies          = [server.EX02]
}

recovery "db01-outage" {
  database = database.DB01
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX01
    edb_file_path   = "E:\\DialTone\\DTDB01\\DTDB01.edb"
    log_folder_path = "E:\\DialTone\\DTDB01\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    server          = server.EX01
    edb_file_path   = "F:\\Recovery\\RDB01\\DB01.edb"
    log_folder_path = "F:\\Recovery\\RDB01\\Logs"
  }

  restore {
    backup = "nightly"
  }
}

drill "db01-copy-survives" {
  failure   = database.DB01
  mode      = "copy_survives"
  mailboxes = 8
  messages = {
    before_backup = 20
    after_backup  = 10
  }
}
