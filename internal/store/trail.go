package store

import (
	"context"
	"errors"

	"github.com/sagekey/sagekey/internal/trail"
)

// errTrailTODO marks the trail store API while it is being built.
var errTrailTODO = errors.New("trail store: not implemented yet")

// TrailUnitsRead returns, for source, the ETag of every unit already read
// and stored (by unit key), so a run reads only new or changed units.
func (s *Store) TrailUnitsRead(ctx context.Context, source string) (map[string]string, error) {
	return nil, errTrailTODO
}

// SaveTrail stores read units with their aggregates, and the coverage
// they complete, in one transaction under the writer lock: a unit is
// marked read exactly when its aggregates are stored, so a run stopped
// half-way neither double-counts nor skips anything when run again. A unit
// stored before under the same source and key has its aggregates replaced.
// Creators are kept per resource ARN (the latest create wins) and key
// events once per event and key.
func (s *Store) SaveTrail(ctx context.Context, units []trail.UnitResult, coverage []trail.Coverage) error {
	return errTrailTODO
}

// TrailCoverage returns the stored coverage (account, region, day, source)
// within f.
func (s *Store) TrailCoverage(ctx context.Context, f trail.Filter) ([]trail.Coverage, error) {
	return nil, errTrailTODO
}

// Trail returns the stored aggregates within f, merged across units:
// day-grouped counts whose day lies in [From, To], creators and key events
// whose time does. Creators are returned whatever their time when f.From is
// zero.
func (s *Store) Trail(ctx context.Context, f trail.Filter) (*trail.Aggregates, error) {
	return nil, errTrailTODO
}

// TrailCreators returns the stored creator of each resource ARN asked for
// (matched case-insensitively), whatever its time.
func (s *Store) TrailCreators(ctx context.Context, arns []string) (map[string]trail.Creator, error) {
	return nil, errTrailTODO
}
