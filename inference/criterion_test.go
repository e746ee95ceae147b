package inference

import (
	"strings"
	"testing"
)

// TestParseCriterion: the names the command line takes, each parsed back
// to its criterion, and an unknown name refused with the list.
func TestParseCriterion(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Criterion
	}{
		{"default", CriterionDefault},
		{"validation", CriterionValidation},
		{"validation-nonzero", CriterionValidationNonzero},
		{"validation-ndcg", CriterionValidationNDCG},
		{"train-loglik", CriterionTrainLogLik},
		{"elbo", CriterionELBO},
	} {
		got, err := ParseCriterion(tc.name)
		if err != nil || got != tc.want || got.String() != tc.name {
			t.Errorf("ParseCriterion(%q) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := ParseCriterion("ndcg"); err == nil || !strings.Contains(err.Error(), "validation-ndcg") {
		t.Errorf("unknown criterion: %v", err)
	}
}
