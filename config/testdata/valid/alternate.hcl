# alternate_server on a second server of the same version; merge block left out,
# recovery database on its own server, lower-case file names, log folders differing
# only by case from nothing else.
dialtone {
  backend "local" {}
}

provider "lab" {}

server "EX01" {
  site    = "HQ"
  edition = "enterprise"
  version = "15.0.1497.2"
}

server "EX02" {
  site    = "DR"
  edition = "standard"
  version = "15.0.1497.48"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB01\\db01.edb"
  log_folder_path = "D:\\Databases\\DB01\\Logs"
}

database "Mailbox Database 01" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\MDB01\\Mailbox Database 01.edb"
  log_folder_path = "D:\\Databases\\MDB01\\Logs"
}

recovery "db01_outage" {
  database = database.DB01
  option   = "alternate_server"
  stage    = "complete"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX02
    edb_file_path   = "E:\\DialTone\\DTDB01.EDB"
    log_folder_path = "E:\\DialTone\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    server          = server.EX02
    edb_file_path   = "F:\\Recovery\\RDB01\\dtdb01.edb"
    log_folder_path = "F:\\Recovery\\RDB01\\Logs"
  }

  restore {
    backup = "weekly-full"
  }
}

drill "db01-corrupt" {
  failure   = database.DB01
  mode      = "corrupt"
  mailboxes = 1
}
