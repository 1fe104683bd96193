# Drill: DB01 had its own settings (quotas raised to 10 GB, journaling, 30 days of
# deleted item retention, not mounted at startup) and is lost. The same-server recovery
# carries them to DTDB01, which takes the name DB01 back at complete (final_name): after
# complete the users' database has DB01's settings, and a mailbox larger than Exchange's
# default quota still receives mail.

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
  database   = database.DB01
  option     = "same_server"
  stage      = "dial_tone"
  final_name = "DB01"

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
}

drill "db01-settings" {
  failure   = database.DB01
  mode      = "lost"
  mailboxes = 8
  messages = {
    before_backup    = 20
    after_backup     = 10
    during_dial_tone = 8
  }
  database_settings = {
    IssueWarningQuota        = "9GB"
    ProhibitSendQuota        = "9728MB"
    ProhibitSendReceiveQuota = "10GB"
    RecoverableItemsQuota    = "50GB"
    JournalRecipient         = "journal@contoso.com"
    DeletedItemRetention     = "30.00:00:00"
    MountAtStartup           = false
  }
}
