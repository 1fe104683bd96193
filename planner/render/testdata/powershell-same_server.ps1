#Requires -Version 5.1
<#
.SYNOPSIS
    dialtone recovery runbook, generated from a saved plan. Run it in the Exchange Management Shell.
.DESCRIPTION
    Plan:          format 1, state lineage 6f1c7c9e-0000-4000-8000-000000000001, serial 7
    Configuration: sha256 sha256:63905f74e45873209f927f625762750997fe6069d0185a9985904aa113f29590

    This runbook carries out 29 steps for 1 recovery: recovery db01-outage (same_server of
    database DB01 on EX01, 3 mailboxes) from not started to complete. 1 step is done by a
    person; the script pauses there. Users are without service in 3 windows: 3 mailboxes of
    db01-outage from recovery.db01-outage.create_dial_tone_database to
    recovery.db01-outage.mount_dial_tone_database (failure until dial tone); 6 mailboxes of
    db01-outage from recovery.db01-outage.restart_information_store to
    recovery.db01-outage.restart_information_store (Information Store restart); 3 mailboxes
    of db01-outage from recovery.db01-outage.dismount_dial_tone_database to
    recovery.db01-outage.mount_swapped_database (swap).

    Every step is guarded: run the script again after a failure and it skips what is
    already done. It stops at the first error ($ErrorActionPreference = 'Stop'), pauses
    (Read-Host) where a person has to act, and warns loudly where users lose service.
    File commands (robocopy, eseutil, Move-Item, Remove-Item, Test-Path) run on the
    server that holds the files, through Invoke-Command -ComputerName (WinRM to each
    Mailbox server); robocopy exit codes 0 to 7 are success, 8 and above stop the run.
    Who confirmed each manual step, and when, goes to the transcript it starts.
    It does not record progress in dialtone's state: after running it by hand, run
    "dialtone refresh" and "dialtone plan" to see what dialtone still expects.
#>

$ErrorActionPreference = 'Stop'
$dtTranscript = Join-Path -Path $PWD.ProviderPath -ChildPath ('dialtone-runbook-' + (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ') + '.log')
Start-Transcript -LiteralPath $dtTranscript -Append
Write-Host ('dialtone runbook started by ' + $env:USERDOMAIN + '\' + $env:USERNAME + ' on ' + $env:COMPUTERNAME + ' at ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') + ': plan serial 7, state lineage ' + '6f1c7c9e-0000-4000-8000-000000000001')
$dtDC = Read-Host -Prompt 'The domain controller (FQDN) every cmdlet of this runbook uses'
Set-ADServerSettings -PreferredServer $dtDC

# ======================================================================================
# Step 1 of 29: recovery.db01-outage.create_dial_tone_database
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 2)
# Create the empty dial tone database DTDB01 on EX01
# Precondition: server EX01 is up
# Precondition: DB01 is not mounted (it has failed)
# Precondition: name DTDB01 is unique in the organization (recovery databases too) and at most 64 characters
# Precondition: DTDB01 has its own log folder D:\DialTone\DTDB01\Logs, not a drive root
# Precondition: disk room on EX01 for the dial tone database DTDB01 (size or free disk unknown: checked at apply)
# ======================================================================================
Write-Warning '*** users (3 mailboxes) are WITHOUT SERVICE during this step ***'
if (-not (Get-MailboxDatabase -Identity 'DTDB01' -ErrorAction SilentlyContinue)) {
    New-MailboxDatabase -Name 'DTDB01' -Server 'EX01' -EdbFilePath 'D:\DialTone\DTDB01\DTDB01.edb' -LogFolderPath 'D:\DialTone\DTDB01\Logs'
} else {
    Write-Host 'skip: DTDB01 exists already'
}
Write-Host 'done: recovery.db01-outage.create_dial_tone_database'

# ======================================================================================
# Step 2 of 29: recovery.db01-outage.rehome_to_dial_tone
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 3)
# Point the 3 user mailboxes of DB01 at DTDB01
# ======================================================================================
Write-Warning '*** users (3 mailboxes) are WITHOUT SERVICE during this step ***'
# Get-Mailbox -Database finds only the mailboxes still on DB01: a second run moves nothing.
Get-Mailbox -Database 'DB01' -ResultSize Unlimited | Where-Object -Property ObjectClass -NotMatch -Value '(SystemAttendantMailbox|ExOleDbSystemMailbox)' | Set-Mailbox -Database 'DTDB01' -Confirm:$false
Write-Host 'done: recovery.db01-outage.rehome_to_dial_tone'

# ======================================================================================
# Step 3 of 29: recovery.db01-outage.rehome_system_mailboxes_to_dial_tone
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 3)
# Point the system mailboxes (0 mailboxes) and the archives of DB01 at DTDB01
# ======================================================================================
Write-Warning '*** users (3 mailboxes) are WITHOUT SERVICE during this step ***'
# Get-Mailbox -Database finds only the mailboxes still on DB01: a second run moves nothing.
Get-Mailbox -Database 'DB01' -ResultSize Unlimited -Arbitration | Set-Mailbox -Arbitration -Database 'DTDB01' -Confirm:$false
Get-Mailbox -Database 'DB01' -ResultSize Unlimited -AuditLog | Set-Mailbox -AuditLog -Database 'DTDB01' -Confirm:$false
Get-Mailbox -Database 'DB01' -ResultSize Unlimited -AuxAuditLog | Set-Mailbox -AuxAuditLog -Database 'DTDB01' -Confirm:$false
Get-Mailbox -Database 'DB01' -ResultSize Unlimited -PublicFolder | Set-Mailbox -PublicFolder -Database 'DTDB01' -Confirm:$false
$dtArchiveDN = Get-MailboxDatabase -Identity 'DB01' | Select-Object -ExpandProperty DistinguishedName
Get-Mailbox -ResultSize Unlimited -Filter "ArchiveDatabase -eq '$($dtArchiveDN -replace "'","''")'" | Set-Mailbox -ArchiveDatabase 'DTDB01' -Confirm:$false
Write-Host 'done: recovery.db01-outage.rehome_system_mailboxes_to_dial_tone'

# ======================================================================================
# Step 4 of 29: recovery.db01-outage.mount_dial_tone_database
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 4)
# Mount DTDB01: users get service back, with empty mailboxes
# Precondition: a mount slot on EX01 for DTDB01 (1 of 100 mounted databases in use, enterprise)
# ======================================================================================
if (-not (Get-MailboxDatabase -Identity 'DTDB01' -Status).Mounted) {
    Mount-Database -Identity 'DTDB01'
} else {
    Write-Host 'skip: DTDB01 is mounted already'
}
Write-Warning '*** SERVICE BACK: 3 mailboxes have service again (recovery.db01-outage.mount_dial_tone_database) ***'
Write-Host 'done: recovery.db01-outage.mount_dial_tone_database'

# ======================================================================================
# Step 5 of 29: recovery.db01-outage.hold_failed_database
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 4)
# Keep DB01 from coming back by itself while its users are on DTDB01 (MountAtStartup $false) and keep new mailboxes off it (IsExcludedFromProvisioning $true)
# ======================================================================================
Set-MailboxDatabase -Identity 'DB01' -MountAtStartup $false -IsExcludedFromProvisioning $true -IsExcludedFromProvisioningReason 'Failed; held by dialtone recovery.db01-outage while its users are on the dial tone database'
Write-Host 'done: recovery.db01-outage.hold_failed_database'

# ======================================================================================
# Step 6 of 29: recovery.db01-outage.resubmit_queues_to_dial_tone
# Phase: restore_service   Risk: reversible   Stage: dial_tone   (exchange-recovery.md step 4)
# Resubmit the mail queued for DB01 so that it reaches DTDB01 (on EX01; a server that cannot be reached is skipped and reported)
# ======================================================================================
Get-Queue -Server 'EX01' | Where-Object -Property NextHopDomain -EQ -Value 'DB01' | Retry-Queue -Resubmit $true -Confirm:$false
Write-Host 'done: recovery.db01-outage.resubmit_queues_to_dial_tone'

# ======================================================================================
# Step 7 of 29: recovery.db01-outage.preserve_failed_files
# Phase: restore_service   Risk: read_only   Stage: dial_tone   (exchange-recovery.md step 4)
# Copy every surviving file of DB01 (database, logs, checkpoint) to D:\Databases\DB01-preserved; delete nothing
# Precondition: disk room on EX01 for the copy of DB01's files (size or free disk unknown: checked at apply)
# ======================================================================================
Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    # Keep every surviving file of DB01: copy it away, delete nothing.
    if (Test-Path -LiteralPath 'D:\Databases\DB01') {
        robocopy 'D:\Databases\DB01' 'D:\Databases\DB01-preserved' 'DB01.edb' /COPY:DAT /R:1 /W:1
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
    } else {
        Write-Warning 'recovery.db01-outage.preserve_failed_files: D:\Databases\DB01 on EX01 does not exist: no surviving file of DB01 is there to keep, so nothing is copied from it. A restore of DB01 then ends where its backup ends.'
    }
    if (Test-Path -LiteralPath 'D:\Databases\DB01\Logs') {
        robocopy 'D:\Databases\DB01\Logs' 'D:\Databases\DB01-preserved' /COPY:DAT /R:1 /W:1
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
    } else {
        Write-Warning 'recovery.db01-outage.preserve_failed_files: D:\Databases\DB01\Logs on EX01 does not exist: no surviving file of DB01 is there to keep, so nothing is copied from it. A restore of DB01 then ends where its backup ends.'
    }
}
Write-Host 'done: recovery.db01-outage.preserve_failed_files'

# ======================================================================================
# Step 8 of 29: recovery.db01-outage.create_recovery_database
# Phase: restore_data   Risk: reversible   Stage: restored   (exchange-recovery.md step 5)
# Create the recovery database RDB01 on EX01, pointed at DB01.edb
# Precondition: name RDB01 is unique in the organization (recovery databases too) and at most 64 characters
# Precondition: RDB01 has its own log folder E:\Recovery\RDB01\Logs, not a drive root
# Precondition: RDB01's .edb is named DB01.edb (the restored file keeps its name)
# ======================================================================================
if (-not (Get-MailboxDatabase -Identity 'RDB01' -ErrorAction SilentlyContinue)) {
    New-MailboxDatabase -Recovery -Name 'RDB01' -Server 'EX01' -EdbFilePath 'E:\Recovery\RDB01\DB01.edb' -LogFolderPath 'E:\Recovery\RDB01\Logs'
} else {
    Write-Host 'skip: RDB01 exists already'
}
Write-Host 'done: recovery.db01-outage.create_recovery_database'

# ======================================================================================
# Step 9 of 29: recovery.db01-outage.restore_backup
# Phase: restore_data   Risk: read_only   Stage: restored   (exchange-recovery.md step 5)
# Restore backup set nightly of DB01 into RDB01's folders, keeping file names
# Precondition: backup set nightly of DB01 exists
# Precondition: disk room on EX01 for the restored DB01 (size or free disk unknown: checked at apply)
# ======================================================================================
Write-Warning 'MANUAL STEP recovery.db01-outage.restore_backup: Restore backup set nightly of DB01 with your backup software into E:\Recovery\RDB01 (database) and E:\Recovery\RDB01\Logs (logs) on EX01, keeping file names (DB01.edb); then check the header with eseutil /mh.'
# For reference, the commands this step stands for (run or adapt them by hand):
#     Restore backup set nightly of DB01 into E:\Recovery\RDB01 (database) and E:\Recovery\RDB01\Logs (logs), keeping file names.
#     Invoke-Command -ComputerName 'EX01' -ScriptBlock { eseutil /mh 'E:\Recovery\RDB01\DB01.edb' }
$dtWho = Read-Host -Prompt 'Do it by hand, then type your name to confirm it (Enter: this Windows account), Ctrl+C to stop'
if (-not $dtWho) { $dtWho = $env:USERNAME + '@' + $env:COMPUTERNAME }
Write-Host ('confirmed: recovery.db01-outage.restore_backup by ' + $dtWho + ' at ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))
Write-Host 'done: recovery.db01-outage.restore_backup'

# ======================================================================================
# Step 10 of 29: recovery.db01-outage.copy_surviving_logs
# Phase: restore_data   Risk: read_only   Stage: restored   (exchange-recovery.md step 6)
# Copy DB01's surviving logs (newer than the backup) into RDB01's log folder before the first mount
# ======================================================================================
Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    if (Test-Path -LiteralPath 'D:\Databases\DB01-preserved') {
        robocopy 'D:\Databases\DB01-preserved' 'E:\Recovery\RDB01\Logs' 'E00*.log' /COPY:DAT /R:1 /W:1
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
        eseutil /ml 'E:\Recovery\RDB01\Logs\E00'
        if ($LASTEXITCODE -ne 0) { throw ('eseutil failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME) }
    } else {
        Write-Warning 'recovery.db01-outage.copy_surviving_logs: D:\Databases\DB01-preserved on EX01 does not exist: no surviving log of DB01 is there, so none is copied into E:\Recovery\RDB01\Logs. The recovered mail then ends where the backup and the logs already there end; mail written after that is lost unless those logs are found (copy them in and run the runbook again before the mount).'
    }
}
Write-Host 'done: recovery.db01-outage.copy_surviving_logs'

# ======================================================================================
# Step 11 of 29: recovery.db01-outage.replay_logs
# Phase: restore_data   Risk: read_only   Stage: restored   (exchange-recovery.md step 7)
# Replay the logs into the restored DB01 until it is clean (eseutil /r)
# ======================================================================================
Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    if (-not (eseutil /mh 'E:\Recovery\RDB01\DB01.edb' | Select-String -SimpleMatch -Pattern 'Clean Shutdown')) {
        eseutil /r 'E00' /l 'E:\Recovery\RDB01\Logs' /d 'E:\Recovery\RDB01'
        if ($LASTEXITCODE -ne 0) { throw ('eseutil failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME) }
    } else {
        Write-Host 'skip: E:\Recovery\RDB01\DB01.edb is in Clean Shutdown already'
    }
}
Write-Host 'done: recovery.db01-outage.replay_logs'

# ======================================================================================
# Step 12 of 29: recovery.db01-outage.restart_information_store
# Phase: restore_data   Risk: user_outage   Stage: restored   (exchange-recovery.md step 7)
# Restart the Information Store on EX01 so that it loads RDB01 (Microsoft's recovery database procedure, step 4). It interrupts every database mounted on EX01 for a minute or two: DB02 (3 mailboxes), DTDB01 (3 mailboxes); 6 users lose service meanwhile, their mail queues and is delivered after, and each database is mounted again
# ======================================================================================
Write-Warning '*** 6 mailboxes on DB02, DTDB01 lose service while the Information Store of EX01 restarts (recovery.db01-outage.restart_information_store) ***'
if (-not (Get-MailboxDatabase -Identity 'RDB01' -Status).Mounted) {
    Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
        $ErrorActionPreference = 'Stop'
        Restart-Service -Name MSExchangeIS
    }
    if (-not (Get-MailboxDatabase -Identity 'DB02' -Status).Mounted) {
        Mount-Database -Identity 'DB02'
    }
    if (-not (Get-MailboxDatabase -Identity 'DTDB01' -Status).Mounted) {
        Mount-Database -Identity 'DTDB01'
    }
} else {
    Write-Host 'skip: RDB01 is mounted: the Information Store on EX01 has loaded it'
}
Write-Host 'done: recovery.db01-outage.restart_information_store'

# ======================================================================================
# Step 13 of 29: recovery.db01-outage.mount_recovery_database
# Phase: restore_data   Risk: read_only   Stage: restored   (exchange-recovery.md step 7)
# Mount RDB01 and check that it lists the expected mailboxes
# Precondition: RDB01 is in Clean Shutdown (or its log range is complete) before the mount
# Precondition: no other recovery database is mounted on EX01
# ======================================================================================
if (-not (Get-MailboxDatabase -Identity 'RDB01' -Status).Mounted) {
    Mount-Database -Identity 'RDB01'
    Get-MailboxStatistics -Database 'RDB01'
} else {
    Write-Host 'skip: RDB01 is mounted already'
}
Write-Host 'done: recovery.db01-outage.mount_recovery_database'

# ======================================================================================
# Step 14 of 29: recovery.db01-outage.dismount_recovery_database
# Phase: restore_data   Risk: read_only   Stage: restored   (exchange-recovery.md step 7)
# Dismount RDB01 (leaves the recovered database clean)
# ======================================================================================
if ((Get-MailboxDatabase -Identity 'RDB01' -Status).Mounted) {
    Dismount-Database -Identity 'RDB01' -Confirm:$false
} else {
    Write-Host 'skip: RDB01 is dismounted already'
}
Write-Host 'done: recovery.db01-outage.dismount_recovery_database'

# ======================================================================================
# Step 15 of 29: recovery.db01-outage.hold_recovered_files
# Phase: swap   Risk: reversible   Stage: swapped   (exchange-recovery.md step 8)
# Move the recovered DB01 files out of RDB01's folders to E:\Recovery\RDB01-hold
# Precondition: RDB01's files are in Clean Shutdown (or their log range is complete) before they move
# Precondition: disk room on EX01 for moving RDB01's files (both copies exist until the move is verified) (size or free disk unknown: checked at apply)
# ======================================================================================
Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    New-Item -ItemType Directory -Path 'E:\Recovery\RDB01-hold' -ErrorAction SilentlyContinue
    if (Test-Path -LiteralPath 'E:\Recovery\RDB01\DB01.edb') {
        Move-Item -LiteralPath 'E:\Recovery\RDB01\DB01.edb' -Destination 'E:\Recovery\RDB01-hold\DB01.edb'
    } elseif (Test-Path -LiteralPath 'E:\Recovery\RDB01-hold\DB01.edb') {
        Write-Host 'skip: E:\Recovery\RDB01\DB01.edb is moved to E:\Recovery\RDB01-hold\DB01.edb already'
    } else {
        throw 'STOPPED at recovery.db01-outage.hold_recovered_files: E:\Recovery\RDB01\DB01.edb on EX01 does not exist, nor does its destination: the files of RDB01 are not where the plan expects them, and going on would lose the mail they hold. Find them, then run "dialtone refresh" and "dialtone plan" before going on.'
    }
    if (Test-Path -LiteralPath 'E:\Recovery\RDB01\Logs') {
        robocopy 'E:\Recovery\RDB01\Logs' 'E:\Recovery\RDB01-hold\Logs' /E /MOVE
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
    } elseif (Test-Path -LiteralPath 'E:\Recovery\RDB01-hold\Logs') {
        Write-Host 'skip: E:\Recovery\RDB01\Logs is moved to E:\Recovery\RDB01-hold\Logs already'
    } else {
        throw 'STOPPED at recovery.db01-outage.hold_recovered_files: E:\Recovery\RDB01\Logs on EX01 does not exist, nor does its destination: the files of RDB01 are not where the plan expects them, and going on would lose the mail they hold. Find them, then run "dialtone refresh" and "dialtone plan" before going on.'
    }
}
Write-Host 'done: recovery.db01-outage.hold_recovered_files'

# ======================================================================================
# Step 16 of 29: recovery.db01-outage.dismount_dial_tone_database
# Phase: swap   Risk: user_outage   Stage: swapped   (exchange-recovery.md step 9)
# Dismount DTDB01: users lose service until the swap is done
# ======================================================================================
Write-Warning '*** USERS LOSE SERVICE: 3 mailboxes are without service from this step (recovery.db01-outage.dismount_dial_tone_database) until the database is mounted again ***'
$dtWho = Read-Host -Prompt 'Users are about to lose service. Type your name to go on (Enter: this Windows account), Ctrl+C to stop'
if (-not $dtWho) { $dtWho = $env:USERNAME + '@' + $env:COMPUTERNAME }
Write-Host ('go-ahead for the outage from recovery.db01-outage.dismount_dial_tone_database by ' + $dtWho + ' at ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))
if ((Get-MailboxDatabase -Identity 'DTDB01' -Status).Mounted) {
    Dismount-Database -Identity 'DTDB01' -Confirm:$false
} else {
    Write-Host 'skip: DTDB01 is dismounted already'
}
Write-Host 'done: recovery.db01-outage.dismount_dial_tone_database'

# ======================================================================================
# Step 17 of 29: recovery.db01-outage.move_dial_tone_files_to_recovery_database
# Phase: swap   Risk: data_loss_risk   Stage: swapped   (exchange-recovery.md step 10)
# Move DTDB01's files (the dial tone mail) into RDB01's folders, the .edb renamed DB01.edb
# Precondition: DTDB01's files are in Clean Shutdown (or their log range is complete) before they move
# Precondition: disk room on EX01 for moving DTDB01's files (both copies exist until the move is verified) (size or free disk unknown: checked at apply)
# ======================================================================================
Write-Warning '*** users (3 mailboxes) are WITHOUT SERVICE during this step ***'
Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    New-Item -ItemType Directory -Path 'E:\Recovery\RDB01' -ErrorAction SilentlyContinue
    if (Test-Path -LiteralPath 'D:\DialTone\DTDB01\DTDB01.edb') {
        Move-Item -LiteralPath 'D:\DialTone\DTDB01\DTDB01.edb' -Destination 'E:\Recovery\RDB01\DB01.edb'
    } elseif (Test-Path -LiteralPath 'E:\Recovery\RDB01\DB01.edb') {
        Write-Host 'skip: D:\DialTone\DTDB01\DTDB01.edb is moved to E:\Recovery\RDB01\DB01.edb already'
    } else {
        throw 'STOPPED at recovery.db01-outage.move_dial_tone_files_to_recovery_database: D:\DialTone\DTDB01\DTDB01.edb on EX01 does not exist, nor does its destination: the files of DTDB01 are not where the plan expects them, and going on would lose the mail they hold. Find them, then run "dialtone refresh" and "dialtone plan" before going on.'
    }
    if (Test-Path -LiteralPath 'D:\DialTone\DTDB01\Logs') {
        robocopy 'D:\DialTone\DTDB01\Logs' 'E:\Recovery\RDB01\Logs' /E /MOVE
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
    } elseif (Test-Path -LiteralPath 'E:\Recovery\RDB01\Logs') {
        Write-Host 'skip: D:\DialTone\DTDB01\Logs is moved to E:\Recovery\RDB01\Logs already'
    } else {
        throw 'STOPPED at recovery.db01-outage.move_dial_tone_files_to_recovery_database: D:\DialTone\DTDB01\Logs on EX01 does not exist, nor does its destination: the files of DTDB01 are not where the plan expects them, and going on would lose the mail they hold. Find them, then run "dialtone refresh" and "dialtone plan" before going on.'
    }
}
Write-Host 'done: recovery.db01-outage.move_dial_tone_files_to_recovery_database'

# ======================================================================================
# Step 18 of 29: recovery.db01-outage.allow_file_restore
# Phase: swap   Risk: reversible   Stage: swapped   (exchange-recovery.md step 11)
# Let DTDB01 mount the recovered file (AllowFileRestore $true)
# ======================================================================================
Write-Warning '*** users (3 mailboxes) are WITHOUT SERVICE during this step ***'
if ((Get-MailboxDatabase -Identity 'DTDB01').AllowFileRestore -ne $true) {
    Set-MailboxDatabase -Identity 'DTDB01' -AllowFileRestore $true
} else {
    Write-Host 'skip: AllowFileRestore of DTDB01 is $true already'
}
Write-Host 'done: recovery.db01-outage.allow_file_restore'

# ======================================================================================
# Step 19 of 29: recovery.db01-outage.move_recovered_files_into_dial_tone_database
# Phase: swap   Risk: data_loss_risk   Stage: swapped   (exchange-recovery.md step 11)
# Move the recovered DB01 files into DTDB01's folders, the .edb renamed DTDB01.edb
# Precondition: RDB01's files are in Clean Shutdown (or their log range is complete) before they move
# Precondition: disk room on EX01 for moving RDB01's files (both copies exist until the move is verified) (size or free disk unknown: checked at apply)
# ======================================================================================
Write-Warning '*** users (3 mailboxes) are WITHOUT SERVICE during this step ***'
Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
    $ErrorActionPreference = 'Stop'
    New-Item -ItemType Directory -Path 'D:\DialTone\DTDB01' -ErrorAction SilentlyContinue
    if (Test-Path -LiteralPath 'E:\Recovery\RDB01-hold\DB01.edb') {
        Move-Item -LiteralPath 'E:\Recovery\RDB01-hold\DB01.edb' -Destination 'D:\DialTone\DTDB01\DTDB01.edb'
    } elseif (Test-Path -LiteralPath 'D:\DialTone\DTDB01\DTDB01.edb') {
        Write-Host 'skip: E:\Recovery\RDB01-hold\DB01.edb is moved to D:\DialTone\DTDB01\DTDB01.edb already'
    } else {
        throw 'STOPPED at recovery.db01-outage.move_recovered_files_into_dial_tone_database: E:\Recovery\RDB01-hold\DB01.edb on EX01 does not exist, nor does its destination: the files of RDB01 are not where the plan expects them, and going on would lose the mail they hold. Find them, then run "dialtone refresh" and "dialtone plan" before going on.'
    }
    if (Test-Path -LiteralPath 'E:\Recovery\RDB01-hold\Logs') {
        robocopy 'E:\Recovery\RDB01-hold\Logs' 'D:\DialTone\DTDB01\Logs' /E /MOVE
        if ($LASTEXITCODE -ge 8) { throw ('robocopy failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME + ' (8 and above: some files were not copied)') }
    } elseif (Test-Path -LiteralPath 'D:\DialTone\DTDB01\Logs') {
        Write-Host 'skip: E:\Recovery\RDB01-hold\Logs is moved to D:\DialTone\DTDB01\Logs already'
    } else {
        throw 'STOPPED at recovery.db01-outage.move_recovered_files_into_dial_tone_database: E:\Recovery\RDB01-hold\Logs on EX01 does not exist, nor does its destination: the files of RDB01 are not where the plan expects them, and going on would lose the mail they hold. Find them, then run "dialtone refresh" and "dialtone plan" before going on.'
    }
}
Write-Host 'done: recovery.db01-outage.move_recovered_files_into_dial_tone_database'

# ======================================================================================
# Step 20 of 29: recovery.db01-outage.mount_swapped_database
# Phase: swap   Risk: reversible   Stage: swapped   (exchange-recovery.md step 11)
# Mount DTDB01 on the recovered data: service back with all old mail
# Precondition: DTDB01 is in Clean Shutdown (or its log range is complete) before the mount
# Precondition: a mount slot on EX01 for DTDB01 (1 of 100 mounted databases in use, enterprise)
# ======================================================================================
if (-not (Get-MailboxDatabase -Identity 'DTDB01' -Status).Mounted) {
    Invoke-Command -ComputerName 'EX01' -ErrorAction Stop -ScriptBlock {
        $ErrorActionPreference = 'Stop'
        eseutil /mh 'D:\DialTone\DTDB01\DTDB01.edb'
        if ($LASTEXITCODE -ne 0) { throw ('eseutil failed with exit code ' + $LASTEXITCODE + ' on ' + $env:COMPUTERNAME) }
    }
    Mount-Database -Identity 'DTDB01'
} else {
    Write-Host 'skip: DTDB01 is mounted already'
}
Write-Warning '*** SERVICE BACK: 3 mailboxes have service again (recovery.db01-outage.mount_swapped_database) ***'
Write-Host 'done: recovery.db01-outage.mount_swapped_database'

# ======================================================================================
# Step 21 of 29: recovery.db01-outage.disallow_file_restore
# Phase: swap   Risk: reversible   Stage: swapped   (exchange-recovery.md step 11)
# Set AllowFileRestore on DTDB01 back to $false
# ======================================================================================
if ((Get-MailboxDatabase -Identity 'DTDB01').AllowFileRestore -ne $false) {
    Set-MailboxDatabase -Identity 'DTDB01' -AllowFileRestore $false
} else {
    Write-Host 'skip: AllowFileRestore of DTDB01 is $false already'
}
Write-Host 'done: recovery.db01-outage.disallow_file_restore'

# ======================================================================================
# Step 22 of 29: recovery.db01-outage.mount_recovery_database_for_merge
# Phase: merge   Risk: read_only   Stage: merged   (exchange-recovery.md step 12)
# Mount RDB01 (it now holds the dial tone mail) and list its mailboxes
# Precondition: RDB01 is in Clean Shutdown (or its log range is complete) before the mount
# Precondition: no other recovery database is mounted on EX01
# ======================================================================================
if (-not (Get-MailboxDatabase -Identity 'RDB01' -Status).Mounted) {
    Mount-Database -Identity 'RDB01'
    Get-MailboxStatistics -Database 'RDB01'
} else {
    Write-Host 'skip: RDB01 is mounted already'
}
Write-Host 'done: recovery.db01-outage.mount_recovery_database_for_merge'

# ======================================================================================
# Steps 23 to 25 of 29: 3 merges of recovery db01-outage
# Phase: merge   Risk: reversible   Stage: merged   (exchange-recovery.md step 13)
# One named restore request per mailbox, from RDB01; mailboxes absent from RDB01 are skipped (nothing to merge).
# The command each row stands for:
#     New-MailboxRestoreRequest -Name 'dialtone-db01-outage' -SourceDatabase 'RDB01' -SourceStoreMailbox '001fe6ff-0000-4000-8000-000000000001' -TargetMailbox 'db01-user0001@contoso.com' -ConflictResolutionOption KeepSourceItem -BadItemLimit 10
# ======================================================================================
$dtMerges = @(
    @{ Mailbox = 'db01-user0001@contoso.com'; Guid = '001fe6ff-0000-4000-8000-000000000001' },  # recovery.db01-outage.merge["db01-user0001@contoso.com"]
    @{ Mailbox = 'db01-user0002@contoso.com'; Guid = '001fe6ff-0000-4000-8000-000000000002' },  # recovery.db01-outage.merge["db01-user0002@contoso.com"]
    @{ Mailbox = 'db01-user0003@contoso.com'; Guid = '001fe6ff-0000-4000-8000-000000000003' }  # recovery.db01-outage.merge["db01-user0003@contoso.com"]
)
$dtPresent = @{}
Get-MailboxStatistics -Database 'RDB01' | ForEach-Object { $dtPresent[([string]$_.MailboxGuid).ToLower()] = $true }
foreach ($dtM in $dtMerges) {
    if (-not $dtPresent[$dtM.Guid.ToLower()]) { Write-Host ('skip: no mailbox ' + $dtM.Guid + ' in ' + 'RDB01'); continue }
    if (Get-MailboxRestoreRequest -TargetMailbox $dtM.Mailbox -Name 'dialtone-db01-outage' -ErrorAction SilentlyContinue) { continue }
    New-MailboxRestoreRequest -Name 'dialtone-db01-outage' -SourceDatabase 'RDB01' -SourceStoreMailbox $dtM.Guid -TargetMailbox $dtM.Mailbox -ConflictResolutionOption KeepSourceItem -BadItemLimit 10 | Out-Null
}
do {
    Start-Sleep -Seconds 30
    $dtOpen = @(Get-MailboxRestoreRequest -SourceDatabase 'RDB01' -ResultSize Unlimited | Where-Object { $_.Status -notin 'Completed','CompletedWithWarning','Failed','Suspended','AutoSuspended' })
    Write-Host ('restore requests still running: ' + $dtOpen.Count)
} while ($dtOpen.Count -gt 0)
$dtFailed = @(Get-MailboxRestoreRequest -SourceDatabase 'RDB01' -ResultSize Unlimited | Where-Object { $_.Status -in 'Failed','Suspended','AutoSuspended' })
if ($dtFailed.Count -gt 0) {
    $dtFailed | Format-Table -AutoSize Name, TargetMailbox, Status
    throw ('' + $dtFailed.Count + ' restore requests stopped (' + (($dtFailed | ForEach-Object { '' + $_.TargetMailbox + '\' + $_.Name + ' ' + $_.Status }) -join '; ') + '): a Failed one: read Get-MailboxRestoreRequestStatistics -IncludeReport, raise -BadItemLimit with Set-MailboxRestoreRequest, then Resume-MailboxRestoreRequest; a suspended one: resume it when its databases are back')
}
Write-Host 'done: 3 merges of db01-outage'

# ======================================================================================
# Step 26 of 29: recovery.db01-outage.remove_restore_requests
# Phase: clean_up   Risk: reversible   Stage: complete   (exchange-recovery.md step 14)
# Remove the finished restore requests that read from RDB01
# ======================================================================================
Get-MailboxRestoreRequest -SourceDatabase 'RDB01' -Status Completed -ResultSize Unlimited | Remove-MailboxRestoreRequest -Confirm:$false
Get-MailboxRestoreRequest -SourceDatabase 'RDB01' -Status CompletedWithWarning -ResultSize Unlimited | Remove-MailboxRestoreRequest -Confirm:$false
Write-Host 'done: recovery.db01-outage.remove_restore_requests'

# ======================================================================================
# Step 27 of 29: recovery.db01-outage.dismount_recovery_database_after_merge
# Phase: clean_up   Risk: read_only   Stage: complete   (exchange-recovery.md step 14)
# Dismount RDB01
# ======================================================================================
if ((Get-MailboxDatabase -Identity 'RDB01' -Status).Mounted) {
    Dismount-Database -Identity 'RDB01' -Confirm:$false
} else {
    Write-Host 'skip: RDB01 is dismounted already'
}
Write-Host 'done: recovery.db01-outage.dismount_recovery_database_after_merge'

# ======================================================================================
# Step 28 of 29: recovery.db01-outage.remove_recovery_database
# Phase: clean_up   Risk: reversible   Stage: complete   (exchange-recovery.md step 14)
# Remove the recovery database RDB01 (AD object only; its files stay)
# ======================================================================================
if (Get-MailboxDatabase -Identity 'RDB01' -ErrorAction SilentlyContinue) {
    Remove-MailboxDatabase -Identity 'RDB01' -Confirm:$false
} else {
    Write-Host 'skip: RDB01 is removed already'
}
Write-Host 'done: recovery.db01-outage.remove_recovery_database'

# ======================================================================================
# Step 29 of 29: recovery.db01-outage.delete_recovery_database_files
# Phase: clean_up   Risk: data_loss_risk   Stage: complete   (exchange-recovery.md step 14)
# Delete what dialtone wrote of RDB01's files on EX01 (E:\Recovery\RDB01\DB01.edb and its logs in E:\Recovery\RDB01\Logs); anything else stays
# ======================================================================================
# Delete only what dialtone recorded writing (the state's "written" records when this plan was made); a folder only once it is empty.
# No file of RDB01 was recorded when this plan was made: run "dialtone plan" again after the earlier steps, or delete by hand only E:\Recovery\RDB01\DB01.edb and the log files in E:\Recovery\RDB01\Logs that dialtone recorded writing.
Write-Host 'done: recovery.db01-outage.delete_recovery_database_files'


Write-Host 'dialtone runbook finished: every step is done.'
Stop-Transcript
