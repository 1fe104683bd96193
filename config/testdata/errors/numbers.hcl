# Numbers so large that printing them would take minutes are refused first.
server "EX01" {
  edition = 1e9999999 # ERROR: Number out of range
  version = "${-1e9999999}" # ERROR: Number out of range
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

drill "d1" {
  failure   = database.DB01 # WARNING: Drill without a recovery
  mode      = "lost"
  mailboxes = 1.5e-9999999 # ERROR: Number out of range
  messages  = { before_backup = 1e9999999 } # ERROR: Number out of range
}

drill "d2" {
  failure   = database.DB01 # WARNING: Drill without a recovery
  mode      = "lost"
  mailboxes = 1e30 # ERROR: Invalid number
  messages  = { (1e9999999) = 1 } # ERROR: Invalid messages key
}
