server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "Databases\\DB01\\DB01.edb" # ERROR: Invalid database file path
  log_folder_path = "D:\\" # ERROR: Log folder is a drive root
}

database "DB02" {
  server          = server.EX01
  edb_file_path   = "\\\\fileserver\\share\\DB02.edb" # ERROR: Invalid database file path
  log_folder_path = "D:/Databases/DB02/Logs" # ERROR: Invalid log folder path
}

database "DB03" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\..\\DB03\\DB03.edb" # ERROR: Invalid database file path
  log_folder_path = "D:Logs" # ERROR: Invalid log folder path
}

database "DB04" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB04\\DB04.mdb" # ERROR: Invalid database file path
  log_folder_path = "E:" # ERROR: Invalid log folder path
}

database "DB05" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\DB05\\DB01.edb" # a file need not carry its database's name
  log_folder_path = "D:\\Databases\\DB05\\Lo?gs" # ERROR: Invalid log folder path
}

database "DB06" {
  server          = server.EX01
  edb_file_path   = "D:\\Databases\\\\DB06\\DB06.edb" # ERROR: Invalid database file path
  log_folder_path = 6 # ERROR: Invalid log folder path
}

# DB05 was renamed: its file is still DB01.edb, and its restore keeps that name.
recovery "r1" {
  database = database.DB05
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX01
    edb_file_path   = "E:\\DialTone\\DT01.edb" # any file name
    log_folder_path = "E:\\DialTone\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    edb_file_path   = "F:\\Recovery\\RDB01.edb" # ERROR: Wrong database file name
    log_folder_path = "F:\\Recovery\\Logs"
  }

  restore {
    backup = "nightly"
  }
}

recovery "r2" {
  database = database.DB02
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB02"
    server          = server.EX01
    edb_file_path   = "D:\\Databases\\DB01\\DB01.edb" # any file name (DB01's own path is invalid above, so no overlap)
    log_folder_path = "E:\\DialTone2\\Logs"
  }

  recovery_database {
    name            = "RDB02"
    edb_file_path   = "F:\\Recovery2\\DB02.edb"
    log_folder_path = "F:\\Recovery2\\"
  }

  restore {
    backup = "nightly"
  }
}
