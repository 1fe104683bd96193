server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = "EX01" # ERROR: Invalid reference
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

database "DB02" {
  server          = database.DB01 # ERROR: Invalid reference
  edb_file_path   = "D:\\DB02\\DB02.edb"
  log_folder_path = "D:\\DB02\\Logs"
}

database "DB03" {
  server          = server.EX01.fqdn # ERROR: Invalid reference
  edb_file_path   = "D:\\DB03\\DB03.edb"
  log_folder_path = "D:\\DB03\\Logs"
}

database "DB04" {
  server          = server # ERROR: Invalid reference
  edb_file_path   = "D:\\DB04\\DB04.edb"
  log_folder_path = "D:\\DB04\\Logs"
}

database "DB05" {
  server          = server[1] # ERROR: Invalid reference
  edb_file_path   = "D:\\DB05\\DB05.edb"
  log_folder_path = "D:\\DB05\\Logs"
}

drill "d1" {
  failure   = recovery.r1 # ERROR: Invalid reference
  mode      = "lost"
  mailboxes = 10
  recovery  = database.DB01 # ERROR: Invalid reference
}

drill "d2" {
  failure   = database.DB01 # WARNING: Drill without a recovery
  mode      = shout("lost") # ERROR: Call to unknown function
  mailboxes = 10
}
