# Alternate-server dial tone recovery: server EX01 is down, and DB01 with it. Users get
# an empty mailbox on DTDB01 on EX02 at once; EX01 is rebuilt (a manual step:
# Setup.exe /Mode:RecoverServer), DB01 is restored into its own paths and users go home
# to it; the mail received on EX02 in between is merged back from a recovery database.

server "EX01" {
  site           = "HQ"
  edition        = "enterprise"
  version        = "15.2.1544.4"
  schema_version = "0.132"
}

server "EX02" {
  site           = "HQ"
  edition        = "enterprise"
  version        = "15.2.1544.4"
  schema_version = "0.132"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB01\\DB01.edb"
  log_folder_path = "D:\\Databases\\DB01\\Logs"
}

database "DB02" {
  server          = server.EX02
  edb_file_path   = "D:\\Databases\\DB02\\DB02.edb"
  log_folder_path = "D:\\Databases\\DB02\\Logs"
}

recovery "db01-outage" {
  database = database.DB01
  option   = "alternate_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX02
    edb_file_path   = "E:\\DialTone\\DTDB01\\DTDB01.edb"
    log_folder_path = "E:\\DialTone\\DTDB01\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    server          = server.EX02
    edb_file_path   = "F:\\Recovery\\RDB01\\DTDB01.edb" # made from the dial tone files
    log_folder_path = "F:\\Recovery\\RDB01\\Logs"
  }

  restore {
    backup = "nightly"
  }

  merge {
    bad_item_limit = 10
  }
}

drill "ex01-down" {
  failure   = server.EX01
  mode      = "server_down"
  mailboxes = 14
  messages = {
    before_backup    = 40
    after_backup     = 20
    during_dial_tone = 15
  }
}
