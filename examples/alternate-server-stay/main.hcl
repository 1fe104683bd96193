# Alternate-server-stay dial tone recovery: DB01 on EX01 is lost and EX01 is not to be
# trusted with it again (failing disks, a server being retired). Users get an empty
# mailbox on DTDB01 on EX02 and stay there for good: DB01 is restored into RDB01 on
# EX02, swapped in under DTDB01, and the dial tone mail is merged back; DB01's AD object
# is removed at the end.

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
