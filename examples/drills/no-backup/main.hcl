# Drill: DB01 is lost and there is no backup of it (4.3). The data loss is a decision
# written here (backup = "none", accept_data_loss = true), never a silent skip: the plan
# makes DTDB01 the users' permanent database and says that everything DB01 held is lost.

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
    backup           = "none"
    accept_data_loss = true
  }

  merge {
    bad_item_limit = 10
  }
}

drill "db01-no-backup" {
  failure   = database.DB01
  mode      = "no_backup"
  mailboxes = 12
  messages = {
    before_backup    = 30
    after_backup     = 20
    during_dial_tone = 12
  }
}
