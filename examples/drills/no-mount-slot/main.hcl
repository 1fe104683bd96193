# Drill: the dial tone server has no mount slot (4.6). EX02 allows one mounted database
# (maximum_active_databases = 1) and DB02 uses it, so DTDB01 could never mount. The plan
# refuses before anything changes, naming the step, the limit and what to change.

server "EX01" {
  site    = "HQ"
  edition = "enterprise"
  version = "15.2.1544.4"
}

server "EX02" {
  site                     = "HQ"
  edition                  = "enterprise"
  version                  = "15.2.1544.4"
  maximum_active_databases = 1 # DB02 is mounted: no slot left for DTDB01
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

drill "no-mount-slot" {
  failure   = database.DB01
  mode      = "no_mount_slot"
  mailboxes = 12
  messages = {
    before_backup    = 30
    after_backup     = 20
    during_dial_tone = 12
  }
}
