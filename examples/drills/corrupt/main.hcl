# Drill: DB01 is corrupt (4.2). Its file is there but will not mount (JET -1018). The
# same-server recovery treats it like a lost database: the damaged file is kept aside,
# dial tone on DTDB01, restore from the backup plus the surviving logs, swap, merge.

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
    backup = "nightly"
  }

  merge {
    bad_item_limit = 10
  }
}

drill "db01-corrupt" {
  failure   = database.DB01
  mode      = "corrupt"
  mailboxes = 12
  messages = {
    before_backup    = 30
    after_backup     = 20
    during_dial_tone = 12
  }
}
