# Five databases fill a standard server; the dial tone database is the sixth.
# Two recovery databases on it do not count.
server "EX01" {
  edition = "standard"
  version = "15.2.1544.4"
}

server "EX02" {
  edition = "standard"
  version = "15.2.1544.4"
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
  server          = server.EX01
  edb_file_path   = "D:\\DB03\\DB03.edb"
  log_folder_path = "D:\\DB03\\Logs"
}

database "DB04" {
  server          = server.EX01
  edb_file_path   = "D:\\DB04\\DB04.edb"
  log_folder_path = "D:\\DB04\\Logs"
}

database "DB05" {
  server          = server.EX01
  edb_file_path   = "D:\\DB05\\DB05.edb"
  log_folder_path = "D:\\DB05\\Logs"
}

recovery "r1" {
  database = database.DB01
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX01 # ERROR: Too many databases on server
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

database "DB21" {
  server          = server.EX02
  edb_file_path   = "D:\\DB21\\DB21.edb"
  log_folder_path = "D:\\DB21\\Logs"
}

database "DB22" {
  server          = server.EX02
  edb_file_path   = "D:\\DB22\\DB22.edb"
  log_folder_path = "D:\\DB22\\Logs"
}

database "DB23" {
  server          = server.EX02
  edb_file_path   = "D:\\DB23\\DB23.edb"
  log_folder_path = "D:\\DB23\\Logs"
}

database "DB24" {
  server          = server.EX02
  edb_file_path   = "D:\\DB24\\DB24.edb"
  log_folder_path = "D:\\DB24\\Logs"
}

database "DB25" {
  server          = server.EX02
  edb_file_path   = "D:\\DB25\\DB25.edb"
  log_folder_path = "D:\\DB25\\Logs"
}

database "DB26" {
  server          = server.EX02 # ERROR: Too many databases on server
  edb_file_path   = "D:\\DB26\\DB26.edb"
  log_folder_path = "D:\\DB26\\Logs"
}

database "DB27" {
  server          = server.EX02
  edb_file_path   = "D:\\DB27\\DB27.edb"
  log_folder_path = "D:\\DB27\\Logs"
}
