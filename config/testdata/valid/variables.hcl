# Variables, locals and for_each: a site of four databases in two blocks.
variable "site" {
  type        = string
  default     = "hq"
  description = "Site the servers stand in"
}

variable "stage" {
  type    = string
  default = "dial_tone"
}

variable "databases" {
  type    = set(string)
  default = ["01", "02"]
}

variable "backup_sets" {
  type = map(string)
  default = {
    "01" = "nightly"
    "02" = "weekly"
  }
}

variable "priority_base" {
  type    = number
  default = 10
}

variable "pg_conn_str" {
  type      = string
  default   = "host=/tmp dbname=dialtone password=hunter2"
  sensitive = true
}

locals {
  server   = upper("ex01")
  data     = "D:\\Databases"
  dt_root  = "${local.data}\\DialTone"
  vips     = ["ceo@contoso.com", lower("CFO@CONTOSO.COM")]
  site_tag = format("%s-%s", var.site, local.server)
}

dialtone {
  backend "pg" {
    conn_str = var.pg_conn_str
  }
}

server "EX01" {
  site    = local.site_tag
  edition = "enterprise"
  version = "15.2.1544.4"
}

database "DB" {
  for_each        = var.databases
  server          = server.EX01
  edb_file_path   = "${local.data}\\DB${each.key}\\DB${each.key}.edb"
  log_folder_path = "${local.data}\\DB${each.key}\\Logs"
}

database "other" {
  for_each        = { "A" = "E", "B" = "F" }
  name            = "MBX-${each.key}"
  server          = server.EX01
  edb_file_path   = "${each.value}:\\MBX-${each.key}\\MBX-${each.key}.edb"
  log_folder_path = "${each.value}:\\MBX-${each.key}\\Logs"
}

recovery "outage" {
  for_each = var.backup_sets
  name     = "db${each.key}-outage"
  database = database["DB${each.key}"]
  option   = "same_server"
  stage    = var.stage
  priority = var.priority_base + tonumber(each.key)

  dial_tone_database {
    name            = "DTDB${each.key}"
    server          = server.EX01
    edb_file_path   = "${local.dt_root}\\DTDB${each.key}\\DTDB${each.key}.edb"
    log_folder_path = "${local.dt_root}\\DTDB${each.key}\\Logs"
  }

  recovery_database {
    name            = "RDB${each.key}"
    edb_file_path   = "E:\\Recovery\\RDB${each.key}\\DB${each.key}.edb"
    log_folder_path = "E:\\Recovery\\RDB${each.key}\\Logs"
  }

  restore {
    backup = each.value
  }

  merge {
    priority = local.vips
  }
}
