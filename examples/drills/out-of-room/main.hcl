# Drill: the dial tone server is out of disk room (4.6). EX02's database volumes are
# full (capacity), so DTDB01 has nowhere to grow. The plan refuses before anything
# changes, naming the step, the free space and what to change.

server "EX01" {
  site    = "HQ"
  edition = "enterprise"
  version = "15.2.1544.4"
}

server "EX02" {
  site     = "HQ"
  edition  = "enterprise"
  version  = "15.2.1544.4"
  capacity = "0.1MB" # about 100 KB: the drill fills it with mail to DB02
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
    edb_file_path   = "F:\\Recovery\\RDB01\\DTDB01.edb"
    log_folder_path = "F:\\Recovery\\RDB01\\Logs"
  }

  restore {
    backup = "nightly"
  }
}

drill "out-of-room" {
  failure   = database.DB01
  mode      = "out_of_room"
  mailboxes = 12
  messages = {
    before_backup    = 30
    after_backup     = 20
    during_dial_tone = 12
  }
}
