# Drill: DB01 on EX01 has a passive copy on EX02 (a database availability group), and
# every copy is lost: the active one on EX01 and the passive one on EX02. With no copy
# to activate, the dial tone recovery goes ahead (the dial tone database is created
# without copies), and every message is verified at the end.

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

drill "db01-every-copy-lost" {
  failure   = database.DB01
  mode      = "lost"
  mailboxes = 8
  messages = {
    before_backup    = 20
    after_backup     = 10
    during_dial_tone = 9
  }
}
