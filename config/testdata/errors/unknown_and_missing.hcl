module "pg" { # ERROR: Unsupported block type
  default = ""
}

server "EX01" { # ERROR: Missing required argument
  edition = "standard"
  sites   = "HQ" # ERROR: Unsupported argument
}

server "EX02" {
  edition = "datacenter" # ERROR: Invalid server edition
  version = "14.3.123.4" # ERROR: Invalid Exchange version
}

server "EX 03" { # ERROR: Invalid server name
  edition = "standard"
  version = "15.1"   # ERROR: Invalid Exchange version
}

database "DB01" {
  server          = server.EX02
  edb_file_path   = "D:\\DB01\\DB01.edb"
  log_folder_path = "D:\\DB01\\Logs"
}

recovery "r1" { # ERROR: Missing restore block
  database = database.DB01
  option   = "alternate_server"
  stage    = "dial_tone"
  extra    = true # ERROR: Unsupported argument

  dial_tone_database {
    name            = "DTDB01"
    server          = server.EX02 # ERROR: Dial tone database on the failed database's server
    edb_file_path   = "E:\\DTDB01\\DTDB01.edb"
    log_folder_path = "E:\\DTDB01\\Logs"
  }

  dial_tone_database { # ERROR: Duplicate dial_tone_database block
    name            = "DTDB02"
    server          = server.EX02
    edb_file_path   = "E:\\DTDB02\\DTDB02.edb"
    log_folder_path = "E:\\DTDB02\\Logs"
  }

  recovery_database { # ERROR: Missing required argument
    name          = "RDB01"
    edb_file_path = "F:\\RDB01\\DTDB01.edb"
  }
}

recovery "r2" { # ERROR: Missing dial_tone_database block
  database = database.DB01 # ERROR: Database recovered twice
  option   = "same_server"
  stage    = "dial_tone"

  recovery_database {
    name            = "RDB02"
    edb_file_path   = "F:\\RDB02\\DB01.edb"
    log_folder_path = "F:\\RDB02\\Logs"
  }

  restore {
    backup = "" # ERROR: Empty backup name
  }
}
