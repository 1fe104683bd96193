# Drill failures of servers and databases, the modes that fit each, bad_items and
# the recovery a drill rehearses.
server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

server "EX02" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

server "EX03" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

database "DB02" {
  server          = server.EX02
  edb_file_path   = "D:\\DB02\\DB02.edb"
  log_folder_path = "D:\\DB02\\Logs"
}

database "DB03" {
  server          = server.EX02
  edb_file_path   = "D:\\DB03\\DB03.edb"
  log_folder_path = "D:\\DB03\\Logs"
}

recovery "r1" {
  database = database.DB01
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX01
    edb_file_path   = "E:\\DT\\DTDB01.edb"
    log_folder_path = "E:\\DT\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    edb_file_path   = "F:\\RDB\\DB01.edb"
    log_folder_path = "F:\\RDB\\Logs"
  }

  restore {
    backup = "nightly"
  }
}

drill "d1" {
  failure   = server.EX02 # ERROR: Drill without a recovery
  mode      = "server_down"
  mailboxes = 1
}

drill "d2" {
  failure   = server.EX03 # ERROR: Drill without a recovery
  mode      = "server_down"
  mailboxes = 1
}

drill "d3" {
  failure   = database.DB01
  mode      = "server_down" # ERROR: Drill mode needs a failed server
  mailboxes = 1
}

drill "d4" {
  failure   = server.EX01
  mode      = "logs_missing" # ERROR: Drill mode needs a failed database
  mailboxes = 1
  bad_items = 3 # WARNING: Unused bad item count
}

drill "d5" {
  failure   = database.DB01
  mode      = "bad_items"
  mailboxes = 1
  bad_items = -1 # ERROR: Invalid bad item count
  recovery  = recovery.r9 # ERROR: Reference to undeclared recovery
}

drill "d6" {
  failure   = database.DB02 # WARNING: Drill without a recovery
  mode      = "no_backup"
  mailboxes = 1
}

drill "d7" {
  failure   = database.DB02
  mode      = "dial_tone_lost"
  mailboxes = 1
  recovery  = recovery.r1 # ERROR: Drill rehearses another database's recovery
}

drill "d8" {
  failure   = server.EX02
  mode      = "server_down"
  mailboxes = 1
  recovery  = recovery.r1 # ERROR: Drill rehearses another server's recovery
}

drill "d9" {
  failure   = server.EX09 # ERROR: Reference to undeclared server
  mode      = "server_down"
  mailboxes = 1
  bad_items = 1.5 # ERROR: Invalid number
}

drill "d10" {
  failure   = database.DB01
  mode      = "out_of_room"
  mailboxes = 1
  recovery  = "r1" # ERROR: Invalid reference
}
