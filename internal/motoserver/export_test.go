package motoserver

// PID exposes the server's process id (and process-group id) to tests.
func PID(s *Server) int { return s.cmd.Process.Pid }
