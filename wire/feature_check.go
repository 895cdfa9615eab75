package wire

// HasFeature reports whether the feature b belongs to is set, as required or
// optional (either bit of the pair).
func (f FeatureVector) HasFeature(b FeatureBit) bool {
	req, opt := b.Pair()
	return f.IsSet(req) || f.IsSet(opt)
}

// RequiresFeature reports whether the feature b belongs to is required: its
// even bit is set. BOLT 9 says a vector with both bits set requires it.
func (f FeatureVector) RequiresFeature(b FeatureBit) bool {
	req, _ := b.Pair()
	return f.IsSet(req)
}

// maxFeatureBit is the highest bit a FeatureBit can name.
const maxFeatureBit = 1<<16 - 1

// forEachSetFeatureBit calls fn for every set bit that a FeatureBit can name
// (below 65536), in increasing order, until fn returns false. It does not
// allocate.
func (f FeatureVector) forEachSetFeatureBit(fn func(FeatureBit) bool) {
	n := len(f.raw)
	for i := n - 1; i >= 0; i-- {
		x := f.raw[i]
		if x == 0 {
			continue
		}
		base := (n - 1 - i) * 8
		if base > maxFeatureBit {
			return
		}
		for j := 0; j < 8; j++ {
			if x&(1<<j) != 0 && !fn(FeatureBit(base+j)) {
				return
			}
		}
	}
}

// hasRequiredBitBeyondRange reports whether an even bit above 65535 (which
// no FeatureBit can name, so no one can know it) is set.
func (f FeatureVector) hasRequiredBitBeyondRange() bool {
	n := len(f.raw)
	// Byte i from the end holds bits 8i..8i+7; bytes from index 8192 on hold
	// bits 65536 and up.
	for i := 0; i < n-(maxFeatureBit+1)/8; i++ {
		if f.raw[i]&0x55 != 0 {
			return true
		}
	}
	return false
}

// UnknownRequiredFeatures returns the even bits set in f whose feature is
// not in known (known may have either bit of the pair set), in increasing
// order. BOLT 1: a node receiving unknown even bits in init must close the
// connection; unknown odd bits are ignored. Bits above 65535 cannot be named
// by a FeatureBit and are not listed; CheckRequired reports them.
func (f FeatureVector) UnknownRequiredFeatures(known FeatureVector) []FeatureBit {
	var out []FeatureBit
	f.forEachSetFeatureBit(func(b FeatureBit) bool {
		if b.IsRequired() && !known.HasFeature(b) {
			out = append(out, b)
		}
		return true
	})
	return out
}

// CheckRequired returns an *UnknownRequiredFeaturesError listing the
// required bits of f whose feature is not in known, or nil. An even bit
// above 65535 is always unknown and sets the error's BeyondRange.
func (f FeatureVector) CheckRequired(known FeatureVector) error {
	bits := f.UnknownRequiredFeatures(known)
	beyond := f.hasRequiredBitBeyondRange()
	if len(bits) > 0 || beyond {
		return &UnknownRequiredFeaturesError{Bits: bits, BeyondRange: beyond}
	}
	return nil
}

// CheckDependencies checks the dependencies of the BOLT 9 table: every set
// feature that depends on another needs that other feature set (either
// bit). It returns a *MissingFeatureDependencyError for the lowest
// offending bit, or nil. Checking each feature's direct dependencies covers
// the transitive ones. Unknown features have no dependencies.
func (f FeatureVector) CheckDependencies() error { return f.checkDependencies(false) }

// CheckDependenciesStrict is CheckDependencies plus the dependencies that
// earlier revisions of BOLT 9 listed (FeatureInfo.LegacyDependencies), which
// older implementations (lnd among them) still enforce on the vectors they
// receive. Use it on vectors lnkit sends.
func (f FeatureVector) CheckDependenciesStrict() error { return f.checkDependencies(true) }

func (f FeatureVector) checkDependencies(strict bool) error {
	var err error
	f.forEachSetFeatureBit(func(b FeatureBit) bool {
		row, ok := lookupFeatureRow(b)
		if !ok {
			return true
		}
		if row.dep != noFeature && !f.HasFeature(row.dep) {
			err = &MissingFeatureDependencyError{Feature: b, Dependency: row.dep}
			return false
		}
		if strict && row.legacyDep != noFeature && !f.HasFeature(row.legacyDep) {
			err = &MissingFeatureDependencyError{Feature: b, Dependency: row.legacyDep}
			return false
		}
		return true
	})
	return err
}

// CheckContext checks that every known feature set in f may be presented in
// ctx (one context, e.g. ContextInit), according to the BOLT 9 table and the
// legacy contexts of ASSUMED features (see FeatureInfo.LegacyContexts). For
// a C- feature only the odd bit may appear in channel_announcement, for a
// C+ feature only the even bit. Unknown bits are not checked here: the
// even/odd rule (CheckRequired) governs them. It returns a
// *FeatureContextError listing every offending bit, or nil.
func (f FeatureVector) CheckContext(ctx FeatureContext) error {
	var bad []FeatureBit
	f.forEachSetFeatureBit(func(b FeatureBit) bool {
		row, ok := lookupFeatureRow(b)
		if !ok {
			return true
		}
		allowed := row.ctx | row.legacyCtx
		switch {
		case allowed&ctx != ctx:
			bad = append(bad, b)
		case ctx.Has(ContextChannelAnnouncement) && allowed.Has(ContextChannelAnnouncementOddOnly) && b.IsRequired():
			bad = append(bad, b)
		case ctx.Has(ContextChannelAnnouncement) && allowed.Has(ContextChannelAnnouncementEvenOnly) && !b.IsRequired():
			bad = append(bad, b)
		}
		return true
	})
	if len(bad) > 0 {
		return &FeatureContextError{Context: ctx, Bits: bad}
	}
	return nil
}

// CheckPairs returns a *FeatureBothBitsError when some pair has both its
// bits set, which BOLT 9 forbids the sender (a receiver treats such a
// feature as required), or nil.
func (f FeatureVector) CheckPairs() error {
	var bad []FeatureBit
	f.forEachSetFeatureBit(func(b FeatureBit) bool {
		if !b.IsRequired() && f.IsSet(b-1) {
			bad = append(bad, b-1)
		}
		return true
	})
	if len(bad) > 0 {
		return &FeatureBothBitsError{Bits: bad}
	}
	return nil
}
