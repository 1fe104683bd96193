# Drill: server EX01 is down (4.1), and DB01 with it. alternate_server: dial tone on
# EX02 at once, EX01 rebuilt by hand (Setup.exe /Mode:RecoverServer; the drill uses
# "lab repair server EX01" and confirms the step), restore, users home again, merge.

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

drill "ex01-down" {
  failure   = server.EX01
  mode      = "server_down"
  mailboxes = 12
  messages = {
    before_backup    = 30
    after_backup     = 20
    during_dial_tone = 12
  }
}
