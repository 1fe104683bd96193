# Drill: DB01 is lost together with its newest transaction logs (4.4). The restore can
# roll forward only up to the gap; the admin accepts losing the mail that was only in
# the destroyed logs (accept_data_loss = true), and the plan states the loss window.

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
    backup           = "nightly"
    accept_data_loss = true # the mail in the destroyed logs is gone
  }

  merge {
    bad_item_limit = 10
  }
}

drill "db01-logs-missing" {
  failure   = database.DB01
  mode      = "logs_missing"
  mailboxes = 12
  messages = {
    before_backup    = 30
    after_backup     = 90
    during_dial_tone = 12
  }
}
