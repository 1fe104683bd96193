# schema_version, capacity and maximum_active_databases, and the mounted-database
# limit they set.
server "EX01" {
  edition                  = "enterprise"
  version                  = "15.2.1544.4"
  schema_version           = "0.132"
  capacity                 = "2TB"
  maximum_active_databases = 2
}

server "EX02" {
  edition                  = "standard"
  version                  = "15.2.1544.4"
  schema_version           = "132" # ERROR: Invalid schema version
  capacity                 = "500" # ERROR: Invalid capacity
  maximum_active_databases = 10 # WARNING: Maximum active databases above the edition's limit
}

server "EX03" {
  edition                  = "enterprise"
  version                  = "15.2.1544.4"
  schema_version           = "0.0132" # ERROR: Invalid schema version
  capacity                 = "1.5 PB" # ERROR: Invalid capacity
  maximum_active_databases = 0 # ERROR: Invalid maximum active databases
}

server "EX04" {
  edition                  = "enterprise"
  version                  = "15.2.1544.4"
  capacity                 = "0GB" # ERROR: Invalid capacity
  maximum_active_databases = 101 # ERROR: Invalid maximum active databases
}

server "EX05" {
  edition                  = "enterprise"
  version                  = "15.2.1544.4"
  capacity                 = "9999999999TB" # ERROR: Invalid capacity
  maximum_active_databases = 2.5 # ERROR: Invalid number
  schema_version           = 0.132 # ERROR: Unsuitable value type
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

database "DB02" {
  server          = server.EX01
  edb_file_path   = "D:\\DB02\\DB02.edb"
  log_folder_path = "D:\\DB02\\Logs"
}

database "DB03" {
  server          = server.EX01 # ERROR: Too many databases on server
  edb_file_path   = "D:\\DB03\\DB03.edb"
  log_folder_path = "D:\\DB03\\Logs"
}
