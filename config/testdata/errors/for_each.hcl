server "EX01" {
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB" { # ERROR: Duplicate for_each instance name
  for_each        = { "a" = "01", "b" = "01" }
  name            = "DB${each.value}"
  server          = server.EX01
  edb_file_path   = "D:\\DB${each.value}\\DB${each.value}.edb"
  log_folder_path = "D:\\DB${each.value}\\Logs-${each.key}"
}

database "LIST" {
  for_each        = ["01", "02"] # ERROR: Invalid for_each argument
  server          = server.EX01
  edb_file_path   = "D:\\LIST${each.key}\\LIST${each.key}.edb"
  log_folder_path = "D:\\LIST${each.key}\\Logs"
}

database "NUM" {
  for_each        = 3 # ERROR: Invalid for_each argument
  server          = server.EX01
  edb_file_path   = "D:\\NUM\\NUM.edb"
  log_folder_path = "D:\\NUM\\Logs"
}

database "PLAIN" {
  name            = "OTHER" # ERROR: Unexpected name argument
  server          = server.EX01
  edb_file_path   = "D:\\PLAIN\\PLAIN.edb"
  log_folder_path = "D:\\PLAIN\\Logs"
}

database "X" {
  for_each        = toset(["1", "2"])
  server          = server.EX01
  edb_file_path   = "D:\\X${each.key}\\X${each.key}.edb"
  log_folder_path = "D:\\X${each.key}\\Logs"
  extra           = each.key # ERROR: Unsupported argument
}

recovery "r" {
  for_each = toset(["1", "9"])
  database = database["X${each.key}"] # ERROR: Reference to undeclared database
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTX${each.key}"
    server          = server.EX01
    edb_file_path   = "D:\\DTX${each.key}\\DTX${each.key}.edb"
    log_folder_path = "D:\\DTX${each.key}\\Logs"
  }

  recovery_database {
    name            = "RDBX${each.key}"
    edb_file_path   = "E:\\RDBX${each.key}\\X${each.key}.edb"
    log_folder_path = "E:\\RDBX${each.key}\\Logs"
  }

  restore {
    backup = "nightly"
  }
}
