server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}
