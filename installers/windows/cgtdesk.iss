; Inno Setup 6 script: wraps the PyInstaller bundle dist\cgtdesk\ as a Windows installer.
;
; On a Windows x64 machine, from the repository root (Git Bash):
;     bash installers/windows/build_installer.sh
; or by hand:
;     bash installers/build.sh                                  (makes dist\cgtdesk\cgtdesk.exe)
;     "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installers\windows\cgtdesk.iss
; Result: dist\installer\CGT-Desk-<version>-setup.exe
;
; The installer needs no administrator rights: by default it installs for the current user under
; %LOCALAPPDATA%\Programs\CGT Desk; the first page offers an install for all users instead (that
; one asks for elevation). Python is not needed on the target machine.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "CGT Desk"
#define AppExe "cgtdesk.exe"
; The repository root, two folders above this script (absolute, so that the preprocessor's checks
; and the compiler's paths agree).
#define RepoRoot AddBackslash(SourcePath) + "..\.."
#define BundleDir RepoRoot + "\dist\cgtdesk"

#if !FileExists(BundleDir + "\" + AppExe)
  #error "dist\cgtdesk\cgtdesk.exe not found: run `bash installers/build.sh` on this Windows machine first"
#endif

[Setup]
; AppId identifies the product for upgrades and uninstall: never change it between versions.
AppId={{6F1C2B7E-4D39-4C5A-9B8E-2A7F0C3D5E91}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=CGT Desk
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#RepoRoot}\dist\installer
OutputBaseFilename=CGT-Desk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
ChangesAssociations=yes
CloseApplications=yes
#if FileExists(RepoRoot + "\resources\icons\cgtdesk.ico")
SetupIconFile={#RepoRoot}\resources\icons\cgtdesk.ico
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "association"; Description: "Open .cgtproj projects with {#AppName}"; GroupDescription: "File types:"

[InstallDelete]
; An upgrade replaces the whole bundle: no library of an older version may linger beside the new one.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Registry]
; .cgtproj -> CGT Desk (HKA: the current user's classes, or the machine's in an all-users install).
Root: HKA; Subkey: "Software\Classes\.cgtproj\OpenWithProgids"; ValueType: string; ValueName: "CGTDesk.Project"; ValueData: ""; Flags: uninsdeletevalue; Tasks: association
Root: HKA; Subkey: "Software\Classes\CGTDesk.Project"; ValueType: string; ValueName: ""; ValueData: "CGT Desk project"; Flags: uninsdeletekey; Tasks: association
Root: HKA; Subkey: "Software\Classes\CGTDesk.Project\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: association
Root: HKA; Subkey: "Software\Classes\CGTDesk.Project\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: association

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
