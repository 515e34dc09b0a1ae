package consumer

// meter adapts a possibly nil Meter.
type meter struct{ m Meter }

func (m meter) received(n int) {
	if m.m != nil && n > 0 {
		m.m.Received(n)
	}
}

func (m meter) unrecognised(n int) {
	if m.m != nil && n > 0 {
		m.m.Unrecognised(n)
	}
}

func (m meter) handled(n int) {
	if m.m != nil && n > 0 {
		m.m.Handled(n)
	}
}

func (m meter) failed(n int) {
	if m.m != nil && n > 0 {
		m.m.Failed(n)
	}
}
