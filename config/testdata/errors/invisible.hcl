# Names with bidirectional controls or invisible characters: they make a plan comment
# lie (issue 19). Refused wherever they are, pointing at the value or the label.
server "EX01‮HQ" { # ERROR: Invisible or direction-changing character
  site    = "HQ"
  edition = "enterprise"
  version = "15.2.1544.4"
}

server "EX02" {
  site    = "H​Q" # ERROR: Invisible or direction-changing character
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX02
  edb_file_path   = "D:\\Databases\\DB01\\DB01⁦.edb" # ERROR: Invisible or direction-changing character
  log_folder_path = "D:\\Databases\\DB01\\Logs"
}

recovery "db01-outage" {
  database = database.DB01
  option   = "same_server"
  stage    = "dial_tone"

  dial_tone_database {
    name            = "DTDB01﻿" # ERROR: Invisible or direction-changing character
    server          = server.EX02
    edb_file_path   = "D:\\DialTone\\DTDB01.edb"
    log_folder_path = "D:\\DialTone\\Logs"
  }

  recovery_database {
    name            = "RDB01"
    edb_file_path   = "E:\\Recovery\\RDB01\\DB01.edb"
    log_folder_path = "E:\\Recovery\\RDB01\\Logs"
  }

  restore {
    backup = "nightly"
  }

  merge {
    priority = ["ceo@contoso.com", "cfo‍@contoso.com"] # ERROR: Invisible or direction-changing character
  }
}
