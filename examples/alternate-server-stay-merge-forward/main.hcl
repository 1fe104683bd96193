# Alternate-server-stay, merge forward: DB01 on EX01 is lost; users get an empty mailbox
# on DTDB01 on EX02 and stay there. There is no swap and no second outage: DB01 is
# restored into RDB01 on EX02 and its old mail is copied forward into the mailboxes on
# DTDB01 (slower: every old item is copied, and the plan says how many).

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
  option   = "alternate_server_stay"
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
    edb_file_path   = "F:\\Recovery\\RDB01\\DB01.edb" # the restored file keeps its name
    log_folder_path = "F:\\Recovery\\RDB01\\Logs"
  }

  swap = false # merge forward: no swap, the old mail is copied into the dial tone mailboxes

  restore {
    backup = "nightly"
  }

  merge {
    bad_item_limit = 10
  }
}

drill "db01-lost" {
  failure   = database.DB01
  mode      = "lost"
  mailboxes = 14
  messages = {
    before_backup    = 40
    after_backup     = 20
    during_dial_tone = 15
  }
}
