package overseer

import "time"

// Schedule says when the runs of a scheduled Cmd start (see Cmd.Schedule).
// A cron.Schedule of github.com/robfig/cron/v3 is one:
//
//	s, err := cron.ParseStandard("CRON_TZ=Europe/Paris */5 * * * *")
//	cmd.Schedule = s
type Schedule interface {
	// Next returns the first tick after t, or the zero time for none
	// (the schedule is over).
	Next(t time.Time) time.Time
}
