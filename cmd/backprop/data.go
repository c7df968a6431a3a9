package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/data/csv"
	"github.com/backprop-go/backprop/data/idx"
	"github.com/backprop-go/backprop/data/imagefolder"
	"github.com/backprop-go/backprop/datasets/mnist"
	"github.com/backprop-go/backprop/tensor"
)

// dataInfo describes a dataset as the model and the checkpoint need it.
type dataInfo struct {
	Kind       string      // "mnist", "idx", "csv" or "images"
	InShape    []int       // shape of one input example
	NumClasses int         // number of classes
	Classes    []string    // class names, or nil for 0, 1, ...
	ValName    string      // "test" or "validation"
	Schema     *csv.Schema // for csv data
	Image      imageInfo   // for image data
}

// imageInfo is how image files were turned into tensors.
type imageInfo struct {
	Width, Height int
	Gray          bool
}

// metadata returns the checkpoint metadata that lets eval and predict
// rebuild the inputs and the model.
func (d dataInfo) metadata() map[string]string {
	m := map[string]string{
		"data.kind":    d.Kind,
		"data.shape":   intsString(d.InShape),
		"data.classes": strconv.Itoa(d.NumClasses),
	}
	if d.Classes != nil {
		b, _ := json.Marshal(d.Classes)
		m["data.class_names"] = string(b)
	}
	if d.Schema != nil {
		b, _ := json.Marshal(d.Schema)
		m["data.csv_schema"] = string(b)
	}
	if d.Kind == "images" {
		m["data.image"] = fmt.Sprintf("%dx%d gray=%v", d.Image.Width, d.Image.Height, d.Image.Gray)
	}
	return m
}

// infoFromMetadata parses what metadata wrote.
func infoFromMetadata(m map[string]string) (dataInfo, error) {
	var d dataInfo
	d.Kind = m["data.kind"]
	if d.Kind == "" {
		return d, fmt.Errorf("checkpoint has no data description (data.kind): was it written by backprop train?")
	}
	var err error
	if d.InShape, err = parseInts(m["data.shape"]); err != nil {
		return d, fmt.Errorf("checkpoint metadata data.shape: %v", err)
	}
	if d.NumClasses, err = strconv.Atoi(m["data.classes"]); err != nil || d.NumClasses < 1 {
		return d, fmt.Errorf("checkpoint metadata data.classes: invalid %q", m["data.classes"])
	}
	if s := m["data.class_names"]; s != "" {
		if err := json.Unmarshal([]byte(s), &d.Classes); err != nil {
			return d, fmt.Errorf("checkpoint metadata data.class_names: %v", err)
		}
	}
	if s := m["data.csv_schema"]; s != "" {
		d.Schema = new(csv.Schema)
		if err := json.Unmarshal([]byte(s), d.Schema); err != nil {
			return d, fmt.Errorf("checkpoint metadata data.csv_schema: %v", err)
		}
	}
	if s := m["data.image"]; s != "" {
		if _, err := fmt.Sscanf(s, "%dx%d gray=%t", &d.Image.Width, &d.Image.Height, &d.Image.Gray); err != nil {
			return d, fmt.Errorf("checkpoint metadata data.image: invalid %q", s)
		}
	}
	return d, nil
}

func intsString(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, "x")
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, "x") {
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("invalid shape %q", s)
		}
		out = append(out, v)
	}
	return out, nil
}

// loadedData is a training and a validation set with their description.
type loadedData struct {
	train, val data.Dataset
	info       dataInfo
}

// dataOptions are the settings of loadData.
type dataOptions struct {
	target   string      // the target column of CSV data
	valSplit float64     // fraction held out for validation, for data without a test set
	seed     uint64      // seed of the split
	image    imageInfo   // conversion of image files (zero size: keep the first image's)
	schema   *csv.Schema // encoding of CSV data learnt before, or nil to learn it
}

// holdOut splits ds at random (seeded by seed) into a training part and
// a validation part of the fraction valSplit; spec names the data in
// errors.
func holdOut(ds data.Dataset, spec string, valSplit float64, seed uint64) (train, val data.Dataset, err error) {
	parts, err := data.RandomSplit(ds, []float64{1 - valSplit, valSplit}, rand.New(rand.NewPCG(seed, 0x73706c6974)))
	if err != nil {
		return nil, nil, fmt.Errorf("--data %s: %w", spec, err)
	}
	if parts[0].Len() == 0 || parts[1].Len() == 0 {
		return nil, nil, fmt.Errorf("--data %s: %d examples are too few to hold out %.0f%% for validation", spec, ds.Len(), 100*valSplit)
	}
	return parts[0], parts[1], nil
}

// loadData opens the data named by spec: "mnist", an IDX directory,
// "csv:PATH" or "images:DIR". Data without a test set is split, holding
// out o.valSplit of it for validation.
func loadData(spec string, o dataOptions) (loadedData, error) {
	var ld loadedData
	var err error
	switch {
	case spec == "mnist":
		tr, te, err := mnist.Load()
		if err != nil {
			return ld, err
		}
		ld.train, ld.val = tr, te
		ld.info = dataInfo{Kind: "mnist", ValName: "test"}
	case strings.HasPrefix(spec, "csv:"):
		path := strings.TrimPrefix(spec, "csv:")
		var ds *data.TensorDataset
		schema := o.schema
		if schema == nil {
			if o.target == "" {
				return ld, usagef("--data %s needs --target COLUMN (the column to predict)", spec)
			}
			ds, schema, err = csv.Load(path, csv.Config{Target: o.target, Standardize: true, Classification: true})
		} else {
			ds, _, err = csv.Load(path, csv.Config{Schema: schema})
		}
		if err != nil {
			return ld, err
		}
		if !schema.Classification {
			return ld, fmt.Errorf("--data %s: the target %q is not a class label", spec, schema.Target)
		}
		ld.info = dataInfo{Kind: "csv", Schema: schema, Classes: schema.Classes, ValName: "validation"}
		if ld.train, ld.val, err = holdOut(ds, spec, o.valSplit, o.seed); err != nil {
			return ld, err
		}
	case strings.HasPrefix(spec, "images:"):
		dir := strings.TrimPrefix(spec, "images:")
		ds, info, err := loadImageFolder(dir, o.image)
		if err != nil {
			return ld, err
		}
		ld.info = info
		ld.info.ValName = "validation"
		if ld.train, ld.val, err = holdOut(ds, spec, o.valSplit, o.seed); err != nil {
			return ld, err
		}
	default:
		st, err := os.Stat(spec)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return ld, usagef("--data %q: no such directory (want mnist, an IDX directory, csv:PATH or images:DIR)", spec)
		case err != nil:
			return ld, fmt.Errorf("--data: %w", err)
		case !st.IsDir() && strings.EqualFold(filepath.Ext(spec), ".csv"):
			return ld, usagef("--data %q: a CSV file is given as csv:%s (with --target COLUMN)", spec, spec)
		case !st.IsDir():
			return ld, usagef("--data %q: not a directory (want mnist, an IDX directory, csv:PATH or images:DIR)", spec)
		}
		tr, te, err := idx.LoadDir(spec)
		if err != nil {
			return ld, err
		}
		ld.train, ld.val = tr, te
		ld.info = dataInfo{Kind: "idx", ValName: "test"}
	}
	if ld.train.Len() == 0 || ld.val.Len() == 0 {
		return ld, fmt.Errorf("--data %s: no examples", spec)
	}
	x, y := ld.train.Example(0)
	ld.info.InShape = x.Shape()
	if y.DType().IsFloat() || y.Dim() != 0 {
		return ld, fmt.Errorf("--data %s: targets must be class labels", spec)
	}
	if ld.info.Classes != nil {
		ld.info.NumClasses = len(ld.info.Classes)
	} else {
		ld.info.NumClasses = int(maxLabel(ld.train, ld.val)) + 1
	}
	if ld.info.NumClasses < 2 {
		return ld, fmt.Errorf("--data %s: need at least 2 classes, found %d", spec, ld.info.NumClasses)
	}
	return ld, nil
}

// maxLabel returns the largest class label of the datasets.
func maxLabel(dss ...data.Dataset) int64 {
	var m int64
	for _, ds := range dss {
		// Datasets that hold their targets in one tensor
		// (data.TensorDataset, data.Uint8Dataset) are read at once.
		var y *tensor.Tensor
		if d, ok := ds.(interface{ Y() *tensor.Tensor }); ok {
			y = d.Y()
		}
		if y != nil && y.DType() == tensor.Int64 {
			for _, v := range y.RawInt64() {
				m = max(m, v)
			}
			continue
		}
		for i := range ds.Len() {
			_, y := ds.Example(i)
			m = max(m, int64(y.Item()))
		}
	}
	return m
}

// csvDataset encodes the CSV file at path with a schema learnt in
// training.
func csvDataset(path string, schema *csv.Schema) (data.Dataset, error) {
	if schema == nil {
		return nil, errors.New("the model was not trained on CSV data")
	}
	ds, _, err := csv.Load(path, csv.Config{Schema: schema})
	if err != nil {
		return nil, err
	}
	if ds.Len() == 0 {
		return nil, fmt.Errorf("csv: %s holds no rows", path)
	}
	return ds, nil
}

// loadImageFolder loads a folder with one subfolder of images per class.
func loadImageFolder(dir string, im imageInfo) (*data.TensorDataset, dataInfo, error) {
	ds, classes, err := imagefolder.Load(dir, imagefolder.Config{Size: [2]int{im.Height, im.Width}, Gray: im.Gray})
	if err != nil {
		return nil, dataInfo{}, err
	}
	if ds.Len() == 0 {
		return nil, dataInfo{}, fmt.Errorf("imagefolder: %s holds no images", dir)
	}
	x, _ := ds.Example(0)
	im.Height, im.Width = x.Size(1), x.Size(2)
	return ds, dataInfo{Kind: "images", Classes: classes, Image: im}, nil
}

// loadImageFolderLike loads a folder of images converted as in training,
// checking that its classes are the trained ones.
func loadImageFolderLike(dir string, info dataInfo) (data.Dataset, error) {
	if info.Kind != "images" {
		return nil, usagef("the model was trained on %s data, not on a folder of images", info.Kind)
	}
	ds, got, err := loadImageFolder(dir, info.Image)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(got.Classes, info.Classes) {
		return nil, fmt.Errorf("imagefolder: %s has the classes %v, the model was trained on %v", dir, got.Classes, info.Classes)
	}
	return ds, nil
}
