# A site failure: server EX01 is down with its three databases. The three recoveries are
# planned together onto EX02 (alternate_server): limits are counted across them, EX02
# mounts one recovery database at a time (the plan serializes RDB01, RDB02, RDB03), and
# the recoveries run in the order of their priority: the executives' DB02 first.

server "EX01" {
  site           = "HQ"
  edition        = "enterprise"
  version        = "15.2.1544.4"
  schema_version = "0.132"
}

server "EX02" {
  site           = "DR"
  edition        = "enterprise"
  version        = "15.2.1544.4"
  schema_version = "0.132"
}

database "DB04" {
  server          = server.EX02
  edb_file_path   = "D:\\Databases\\DB04\\DB04.edb"
  log_folder_path = "D:\\Databases\\DB04\\Logs"
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

database "DB03" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB03\\DB03.edb"
  log_folder_path = "D:\\Databases\\DB03\\Logs"
}

recovery "db02-outage" {
  database = database.DB02
  option   = "alternate_server"
  stage    = "dial_tone"
  priority = 10

  dial_tone_database {
    name            = "DTDB02"
    server          = server.EX02
    edb_file_path   = "E:\\DialTone\\DTDB02\\DTDB02.edb"
    log_folder_path = "E:\\DialTone\\DTDB02\\Logs"
  }

  recovery_database {
    name            = "RDB02"
    server          = server.EX02
    edb_file_path   = "F:\\Recovery\\RDB02\\DTDB02.edb"
    log_folder_path = "F:\\Recovery\\RDB02\\Logs"
  }

  restore {
    backup = "nightly"
  }
}

recovery "db01-outage" {
  database = database.DB01
  option   = "alternate_server"
  stage    = "dial_tone"
  priority = 50

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

recovery "db03-outage" {
  database = database.DB03
  option   = "alternate_server"
  stage    = "dial_tone"
  priority = 200

  dial_tone_database {
    name            = "DTDB03"
    server          = server.EX02
    edb_file_path   = "E:\\DialTone\\DTDB03\\DTDB03.edb"
    log_folder_path = "E:\\DialTone\\DTDB03\\Logs"
  }

  recovery_database {
    name            = "RDB03"
    server          = server.EX02
    edb_file_path   = "F:\\Recovery\\RDB03\\DTDB03.edb"
    log_folder_path = "F:\\Recovery\\RDB03\\Logs"
  }

  restore {
    backup = "nightly"
  }
}

drill "ex01-down" {
  failure   = server.EX01
  mode      = "server_down"
  mailboxes = 10
  messages = {
    before_backup    = 20
    after_backup     = 10
    during_dial_tone = 9
  }
}
