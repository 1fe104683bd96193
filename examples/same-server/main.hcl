# Same-server dial tone recovery: DB01 on EX01 is lost, EX01 itself still works.
# Users get an empty mailbox on DTDB01 at once; DB01 is restored into RDB01 from the
# nightly backup, rolled forward with the surviving logs, swapped in under DTDB01, and
# the mail received in between is merged back.

dialtone {
  backend "local" {
    path = "dialtone.state.json"
  }
}

provider "lab" {
  path = "lab"
}

server "EX01" {
  site    = "HQ"
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB01\\DB01.edb"
  log_folder_path = "D:\\Databases\\DB01\\Logs"
}

database "DB02" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB02\\DB02.edb"
  log_folder_path = "D:\\Databases\\DB02\\Logs"
}

recovery "db01-outage" {
  database = database.DB01
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX01
    edb_file_path   = "D:\\DialTone\\DTDB01\\DTDB01.edb"
    log_folder_path = "D:\\DialTone\\DTDB01\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    edb_file_path   = "E:\\Recovery\\RDB01\\DB01.edb"
    log_folder_path = "E:\\Recovery\\RDB01\\Logs"
  }

  restore {
    backup      = "nightly"
    replay_logs = true
  }

  merge {
    conflict_resolution = "KeepSourceItem"
    bad_item_limit      = 10
    priority            = ["db01-user0001@contoso.com"]
  }
}

drill "db01-lost" {
  failure   = database.DB01
  mode      = "lost"
  mailboxes = 20
  messages = {
    before_backup    = 60
    after_backup     = 25
    during_dial_tone = 15
  }
}
