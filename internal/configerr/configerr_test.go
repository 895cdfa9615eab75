package configerr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestError(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", New("peer", "NodeKey", "required"))
	require.ErrorIs(t, err, ErrInvalidConfig)
	var ce *Error
	require.True(t, errors.As(err, &ce))
	require.Equal(t, "NodeKey", ce.Field)
	require.Equal(t, "wrapped: peer: invalid config: NodeKey: required", err.Error())
}
