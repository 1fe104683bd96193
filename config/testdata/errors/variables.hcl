variable "site" {
  type    = string
  default = "hq"
}

variable "site" { # ERROR: Duplicate variable name
  default = "branch"
}

variable "each" { # ERROR: Invalid variable name
  default = "x"
}

variable "count" {
  type    = number
  default = "many" # ERROR: Invalid value for variable
}

variable "kind" {
  type = object # ERROR: Invalid type
}

variable "nodefault" { # ERROR: No value for required variable
  type = string
}

variable "secret" {
  default   = "s3cr3t-value"
  sensitive = true
}

variable "servers" {
  type    = list(string)
  default = ["EX01"]
}

server "EX01" {
  site    = var.secret # ERROR: Sensitive value not allowed here
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB01" {
  server          = server.EX01
  edb_file_path   = "D:\\DB01\\${var.secret}.edb" # ERROR: Sensitive value not allowed here
  log_folder_path = "D:\\DB01\\Logs"
}

database "DB02" {
  server          = server.EX01
  edb_file_path   = var.servers # ERROR: Unsuitable value type
  log_folder_path = "D:\\DB02\\Logs${var.nosuch}" # ERROR: Unsupported attribute
}
