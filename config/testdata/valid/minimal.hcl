# The smallest useful configuration: one server, one database, no recovery.
server "EX01" {
  edition = "standard"
  version = "15.1.2507.6"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB01\\DB01.edb"
  log_folder_path = "D:\\Databases\\DB01\\Logs\\"
}
