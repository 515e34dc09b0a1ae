package motoserver

// PID exposes the server's process id (and process-group id) to tests.
func PID(s *Server) int { return s.cmd.Process.Pid }

// StartPlain starts the unpatched moto_server command, without the launcher.
var StartPlain = startPlain

// LauncherDir is the temporary directory holding the server's launcher.
func LauncherDir(s *Server) string { return s.dir }
