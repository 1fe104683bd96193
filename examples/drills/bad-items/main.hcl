# Drill: restore requests fail on bad items (4.5). The drill damages items in the dial
# tone database, so the merge requests stop as Failed with bad_item_limit = 0; the admin
# raises bad_item_limit, and the next plan resumes those requests (never new ones).

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
    bad_item_limit = 0 # the drill raises it after the requests fail, as an admin would
  }
}

drill "db01-bad-items" {
  failure   = database.DB01
  mode      = "bad_items"
  mailboxes = 12
  bad_items = 4
  messages = {
    before_backup    = 30
    after_backup     = 20
    during_dial_tone = 12
  }
}
