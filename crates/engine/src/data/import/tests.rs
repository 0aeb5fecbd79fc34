//! The importer's rules, through its public functions.

use super::*;
use crate::data::source::Bytes;
use crate::data::text::{TextOptions, TextVectorizer};
use crate::data::{ImputedColumn, OneHotColumn};
use crate::testing::{bundled, bundled_csv};

fn parse(text: &str) -> Result<Dataset, DataError> {
    parse_csv(text.as_bytes(), &CsvOptions::named("t"))
}

fn message(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

fn with(f: impl FnOnce(&mut CsvOptions)) -> CsvOptions {
    let mut o = CsvOptions::named("t");
    f(&mut o);
    o
}

/// Every file read through a source that hands out 1, 2 or 7 bytes at a time gives the
/// same dataset or the same error as the file read at once: offsets, lines, quotes across
/// reads, a byte order mark, a NUL at the end.
#[test]
fn short_reads_change_nothing() {
    use crate::data::source::Trickle;
    let files: [&[u8]; 12] = [
        b"a,b,label\n1,2,x\n3,4,y\n",
        b"\xEF\xBB\xBFa;b;label\n1,5;2;x\n3;4;y\n",
        b"a,b,label\n1,\"2\n\",x\n3,4,y\n",
        b"a,b,label\n1,2,x\n3,\"4,y\n5,6,x\n",
        b"a,b,label\n1,2,x\n3,4\n",
        b"a,b,label\n1,2,x\n3,4,y\n\0",
        b"\"\",,\n;\n",
        b"  \n\t\n",
        b"<!DOCTYPE html><p>",
        b"PK\x03\x04zip",
        b"a\tb\tlabel\n1\t2\tx\n3\t4\ty",
        b"a,b,label\n1,2,\xe9\n3,4,y\n",
    ];
    for file in files {
        let options = CsvOptions::named("t");
        let whole =
            csv::read_csv(&Bytes(file), &options).and_then(|t| schema::build(t, &options, None));
        for step in [1, 2, 7] {
            let trickled = csv::read_csv(&Trickle(file, step), &options)
                .and_then(|t| schema::build(t, &options, None));
            assert_eq!(
                trickled,
                whole,
                "{step}-byte reads of {:?}",
                String::from_utf8_lossy(file)
            );
        }
    }
    let jsonl = b"{\"x\": 1, \"label\": \"a\"}\r\n\n{\"x\": 2, \"label\": \"b\"}\n{\"x\": [";
    let options = CsvOptions::named("t");
    let whole = jsonl::read_jsonl(&Bytes(jsonl)).and_then(|t| schema::build(t, &options, None));
    assert_eq!(
        whole.as_ref().map(|_| ()).unwrap_err().to_string(),
        "line 4, key 'x': nested arrays and objects are not supported: flatten them into plain values"
    );
    for step in [1, 3] {
        let trickled =
            jsonl::read_jsonl(&Trickle(jsonl, step)).and_then(|t| schema::build(t, &options, None));
        assert_eq!(trickled, whole);
    }
}

#[test]
fn label_column_by_preferred_name_then_last() {
    let d = parse("label,a,b\nx,1,2\ny,3,4\n").unwrap();
    assert_eq!(d.feature_names, vec!["a", "b"]);
    let d = parse("a,b,kind\n1,2,x\n2,1,x\n").unwrap();
    assert_eq!(d.feature_names, vec!["a", "b"]);
    assert_eq!(d.class_names, vec!["x"], "one class is fine for import");
    assert_eq!(d.report.label_column, "kind");
    // Preference order: `class` beats `y` whatever their positions.
    let d = parse("y,class,a\n1,p,3\n2,q,4\n").unwrap();
    assert_eq!(d.report.label_column, "class");
}

#[test]
fn label_column_by_option() {
    let opts = with(|o| o.label_column = Some("A".into()));
    let d = parse_csv(b"a,b,c\nx,1,2\ny,2,1\n", &opts).unwrap();
    assert_eq!(d.feature_names, vec!["b", "c"]);
    let opts = with(|o| o.label_column = Some("nope".into()));
    let err = parse_csv(b"a,b,c\nx,1,2\n", &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no column named 'nope' (asked for as the label column); the columns are: a, b, c"
    );
}

#[test]
fn errors_name_line_and_column() {
    assert_eq!(parse(""), Err(DataError::Empty));
    assert_eq!(parse(" \n\r\n"), Err(DataError::Empty));
    assert_eq!(parse("a,b\n"), Err(DataError::NoRows));
    assert_eq!(parse("a\n1\n"), Err(DataError::TooFewColumns { found: 1 }));
    assert_eq!(
        message("a,b,y\n1,2,x\n1,2,3,4\n"),
        "line 3 has 4 fields but the header has 3: every row needs the same number of fields (a value containing ',' must be in double quotes)"
    );
    assert_eq!(
        message("1\t2\t3\n1\t2\n"),
        "line 2 has 2 fields but the first line has 3: every row needs the same number of fields (a value containing a tab must be in double quotes)"
    );
    assert_eq!(
        message("a,b,y\n1,2,x\n1,oops,x\n3,4,y\n"),
        "line 3, column 'b': 'oops' is not a number, but most of the column is: fix the value, or leave the cell empty to have it filled in"
    );
    assert_eq!(
        parse_csv(b"a,b,y\n1,2,\xe9t\xe9\n", &CsvOptions::named("t")),
        Err(DataError::NotUtf8 {
            line: 2,
            byte: 0xE9
        })
    );
    assert!(
        parse("a,b,y\n1,2,caf\u{e9}\n2,1,x\n").is_ok(),
        "UTF-8 is fine"
    );
}

#[test]
fn not_finite_numbers_are_refused_with_line_and_column() {
    assert_eq!(
        message("a,b,y\n1,2,x\n1,inf,x\n"),
        "line 3, column 'b': 'inf' is not a finite number: replace it with a real value, or leave the cell empty to have it filled in"
    );
    assert_eq!(
        parse("a,b,y\n1,2,x\n1e400,3,x\n"),
        Err(DataError::NotFinite {
            line: 3,
            column: "a".into(),
            value: "1e400".into()
        })
    );
}

#[test]
fn bom_blank_lines_and_unlabeled_rows() {
    let d = parse("\u{feff}a,b,y\n1,2,x\n3,4,\n\n5,6,NA\n,,\n7,8,?\n").unwrap();
    assert_eq!(d.n_rows(), 4);
    assert_eq!(d.known_labels, vec![Some(0), None, None, None]);
    assert_eq!(d.report.unlabeled_rows, 3);
    assert_eq!(d.report.rows_read, 4);
    assert_eq!(d.row_ids, vec!["1", "2", "3", "4"]);
}

#[test]
fn delimiters_are_sniffed() {
    let d = parse("a;b;label\n1,5;2;x\n3;4,25;y\n").unwrap();
    assert_eq!(d.report.delimiter, Some(';'));
    assert_eq!(d.row(0), vec![1.5, 2.0], "decimal commas in ';' files");
    assert_eq!(d.row(1), vec![3.0, 4.25]);
    let d = parse("text\tnumber\tlabel\nhello, world\t1\tx\nhi, there\t2\ty\n").unwrap();
    assert_eq!(d.report.delimiter, Some('\t'));
    assert_eq!(
        d.feature_names,
        vec!["text=hello, world", "text=hi, there", "number"]
    );
    let d = parse("a,b,label\n1,2,x\n2,1,y\n").unwrap();
    assert_eq!(d.report.delimiter, Some(','));
    // A forced delimiter wins.
    let opts = with(|o| o.delimiter = Some(b'|'));
    let d = parse_csv(b"a|b|label\n1|2|x\n2|1|y\n", &opts).unwrap();
    assert_eq!(d.feature_names, vec!["a", "b"]);
    let opts = with(|o| o.delimiter = Some(b'"'));
    assert_eq!(
        parse_csv(b"a,b\n1,2\n", &opts).unwrap_err().to_string(),
        "delimiter = 0x22 is not allowed: the delimiter must be one ASCII character other than a quote or a line end"
    );
}

#[test]
fn quoted_fields_span_lines_and_keep_line_numbers() {
    let text = "note,x,label\n\"one\ntwo\",1,a\n\"say \"\"hi\"\"\",2,b\n\"x, y\",3\n";
    let err = parse(text).unwrap_err();
    assert_eq!(
        err,
        DataError::Ragged {
            line: 5,
            expected: 3,
            found: 2,
            delimiter: ',',
            header: true
        }
    );
    let d = parse("note,x,label\n\"one\ntwo\",1,a\n\"say \"\"hi\"\"\",2,b\n").unwrap();
    assert_eq!(
        d.feature_names,
        vec!["note=one\ntwo", "note=say \"hi\"", "x"]
    );
}

#[test]
fn unclosed_quote_is_named() {
    // The quote swallows the rest of the file: the record comes out short…
    assert_eq!(
        message("a,b,label\n1,\"2,x\n3,4,y\n5,6,z\n"),
        "line 2: a quoted value starts here but its closing quote never comes: add the missing '\"' (a quote inside a quoted value is written '\"\"')"
    );
    // …or, in the last column, with the right number of fields.
    assert_eq!(
        parse("a,b,label\n1,2,x\n3,4,\"y\n5,6,z\n"),
        Err(DataError::UnclosedQuote { line: 3 })
    );
    assert_eq!(
        parse("a,b,label\n1,2,x\n3,4,\"y"),
        Err(DataError::UnclosedQuote { line: 3 })
    );
    // A quote inside an unquoted value is just a character.
    let d = parse("a,size,label\n1,5\",x\n2,6\",y\n").unwrap();
    assert_eq!(d.feature_names, vec!["a", "size=5\"", "size=6\""]);
}

#[test]
fn header_is_detected() {
    let d = parse("1,2,3\n4,5,6\n").unwrap();
    assert!(!d.report.header_detected);
    assert_eq!(d.feature_names, vec!["column_1", "column_2"]);
    assert_eq!(d.class_names, vec!["3", "6"]);
    // Iris without a header: the first line's text cell is a value of its column.
    let d = parse("5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,3.3,virginica\n").unwrap();
    assert!(!d.report.header_detected);
    assert_eq!(d.n_rows(), 3);
    assert_eq!(d.report.label_column, "column_3");
    // Numeric-looking names with a text name are a header.
    let d = parse("id,2019,2020,label\na,1,2,x\nb,2,3,y\n").unwrap();
    assert!(d.report.header_detected);
    assert_eq!(d.feature_names, vec!["id=a", "id=b", "2019", "2020"]);
    // The option wins.
    let opts = with(|o| o.has_header = Some(true));
    let d = parse_csv(b"1,2,3\n4,5,6\n7,8,9\n", &opts).unwrap();
    assert_eq!(d.feature_names, vec!["1", "2"]);
    // Empty header cells get generated names.
    let d = parse(",a,label\n0,1,x\n1,2,y\n").unwrap();
    assert_eq!(d.feature_names, vec!["column_1", "a"]);
}

#[test]
fn id_and_ignored_columns() {
    let opts = with(|o| {
        o.id_column = Some("ID".into());
        o.ignore = vec!["junk".into()];
    });
    let d = parse_csv(b"id,x,junk,label\nr7,1,q,a\n,2,w,b\nr9,3,e,a\n", &opts).unwrap();
    assert_eq!(d.feature_names, vec!["x"]);
    assert_eq!(d.row_ids, vec!["r7", "2", "r9"]);
    assert_eq!(d.report.id_column.as_deref(), Some("id"));
    assert_eq!(d.report.ignored_columns, vec!["junk"]);
    // The label is inferred among the columns left: `label` here, the last free one else.
    let opts = with(|o| o.id_column = Some("last".into()));
    let d = parse_csv(b"x,kind,last\n1,a,r1\n2,b,r2\n", &opts).unwrap();
    assert_eq!(d.report.label_column, "kind");

    let opts = with(|o| o.ignore = vec!["nope".into()]);
    assert_eq!(
        parse_csv(b"a,b\n1,2\n", &opts).unwrap_err().to_string(),
        "there is no column named 'nope' (asked for as the ignored column); the columns are: a, b"
    );
    let opts = with(|o| {
        o.id_column = Some("a".into());
        o.ignore = vec!["a".into()];
    });
    assert_eq!(
        parse_csv(b"a,b,c\n1,2,3\n", &opts).unwrap_err().to_string(),
        "column 'a' cannot be both the id column and the ignored column: choose one role"
    );
    let opts = with(|o| {
        o.label_column = Some("b".into());
        o.ignore = vec!["b".into()];
    });
    assert_eq!(
        parse_csv(b"a,b,c\n1,2,3\n", &opts),
        Err(DataError::ColumnRoleConflict {
            column: "b".into(),
            first: "ignored".into(),
            second: "label".into()
        })
    );
    let opts = with(|o| o.ignore = vec!["a".into(), "b".into()]);
    assert_eq!(
        parse_csv(b"a,b,c\n1,2,3\n4,5,6\n", &opts).unwrap_err().to_string(),
        "no feature column is left (ignored: a, b; label: c): the data needs at least one informative column besides the label"
    );
}

#[test]
fn categorical_columns_are_one_hot_and_missing_values_imputed() {
    let d = parse(
        "size,color,weight,label\n1,red,10,a\nNA,blue,,b\n3,red,null,a\n4,?,20,b\n2,NaN,N/A,b\n",
    );
    // `N/A` is not a missing token: the column is mostly numbers.
    assert_eq!(
        d.unwrap_err().to_string(),
        "line 6, column 'weight': 'N/A' is not a number, but most of the column is: fix the value, or leave the cell empty to have it filled in"
    );
    let d = parse(
        "size,color,weight,label\n1,red,10,a\nNA,blue,,b\n3,red,null,a\n4,?,20,b\n2,NaN,12,b\n",
    )
    .unwrap();
    assert_eq!(
        d.feature_names,
        vec!["size", "color=blue", "color=red", "weight"]
    );
    assert_eq!(d.row(1), vec![2.5, 1.0, 0.0, 14.0]);
    assert_eq!(d.row(3), vec![4.0, 0.0, 1.0, 20.0], "mode: red");
    assert_eq!(
        d.report.imputed,
        vec![
            ImputedColumn {
                column: "size".into(),
                cells: 1,
                value: "2.5".into()
            },
            ImputedColumn {
                column: "color".into(),
                cells: 2,
                value: "red".into()
            },
            ImputedColumn {
                column: "weight".into(),
                cells: 2,
                value: "14".into()
            },
        ]
    );
    assert_eq!(
        d.report.one_hot,
        vec![OneHotColumn {
            column: "color".into(),
            categories: vec!["blue".into(), "red".into()]
        }]
    );
    // Ties for the mode go to the first category in sorted order.
    let d = parse("c,label\nb,x\na,y\n,x\n").unwrap();
    assert_eq!(d.report.imputed[0].value, "a");
}

#[test]
fn too_many_categories_or_classes_are_refused() {
    let mut text = String::from("city,label\n");
    for i in 0..51 {
        text.push_str(&format!("c{i},x\n"));
    }
    assert_eq!(
        message(&text),
        "column 'city' has 51 distinct values, more than the 50 a categorical column may have: remove (or ignore) the column, or group its rare values into fewer categories"
    );
    let opts = with(|o| o.max_categories = 60);
    assert_eq!(parse_csv(text.as_bytes(), &opts).unwrap().n_features(), 51);

    let mut text = String::from("x,label\n");
    for i in 0..1001 {
        text.push_str(&format!("1,{i}\n"));
    }
    assert_eq!(
        message(&text),
        "the label column 'label' has 1001 distinct values, more than the 1000 classes allowed: this looks like an id or a number, not a class; choose another label column"
    );
}

#[test]
fn constant_and_empty_columns_are_dropped_and_reported() {
    let text = "a,same,none,kind,b,label\n1,5,,k,2,x\n2,5,NA,k,3,y\n3,,,k,1,x\n";
    let d = parse(text).unwrap();
    assert_eq!(d.feature_names, vec!["a", "b"]);
    assert_eq!(d.report.dropped_constant, vec!["same", "kind"]);
    assert_eq!(d.report.dropped_empty, vec!["none"]);
    let opts = with(|o| o.keep_constant_columns = true);
    let d = parse_csv(text.as_bytes(), &opts).unwrap();
    assert_eq!(d.feature_names, vec!["a", "same", "kind=k", "b"]);
    assert_eq!(
        message("a,b,label\n1,,x\n1,NA,y\n"),
        "no feature column is left (dropped as constant: a; dropped as empty: b; label: label): the data needs at least one informative column besides the label"
    );
}

#[test]
fn common_mistakes_get_their_own_message() {
    assert_eq!(
        message("<!DOCTYPE html>\n<html><body>404</body></html>\n"),
        "this is a web page (HTML), not a CSV or JSON Lines file: download the raw data file instead (on GitHub: the 'Raw' button)"
    );
    assert_eq!(message(",,\n;\t\n\"\",\n"), DataError::Empty.to_string());
    assert_eq!(
        message("x,y,label\n1,2,a\n"),
        "the file has only 1 data row (line 2): add more rows; learning needs at least 2 rows of at least 2 classes (with one row every column is constant)"
    );
    assert_eq!(
        message("x,label\n\"1,200\",a\n\"3,400\",b\n950,a\n"),
        "line 2, column 'x': '1,200' looks like a number written with a thousands separator or a decimal comma: write numbers without separators and with a '.' decimal point (like 1234.5)"
    );
    // In a `;` file a decimal comma is a number, but not with thousands separators too.
    assert!(parse("x;label\n1,5;a\n2,5;b\n").is_ok());
    assert_eq!(
        message("x;label\n1.234,5;a\n2.345,5;b\n"),
        "line 2, column 'x': '1.234,5' looks like a number written with a thousands separator or a decimal comma: write numbers without separators and with a '.' decimal point (like 1234.5)"
    );
    // A column of words with commas is text.
    assert!(parse("x,label\n\"a,b\",a\n\"c,d\",b\n").is_ok());
    assert_eq!(
        message(",column_1,label\n1,2,a\n3,4,b\n"),
        "the column name 'column_1' appears twice: column 2 is called column_1 in the header, and column 1 has no name there, so it was called column_1 too: rename column 2, or give column 1 a name"
    );
    // Huge finite values: the imputed mean does not overflow.
    let d = parse("x,y,label\n1.7e308,1,a\n1.7e308,2,b\n,3,a\n-1e308,4,b\n").unwrap();
    assert!(d.features.iter().all(|v| v.is_finite()));
    let jsonl = |text: &str| {
        parse_jsonl(text.as_bytes(), &CsvOptions::named("t"))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        jsonl("x,y,label\n1,2,a\n"),
        "line 1: this looks like CSV, not JSON Lines: rename the file to end in .csv (or .tsv)"
    );
    assert_eq!(
        jsonl("[{\"x\": 1}, {\"x\": 2}]\n"),
        "line 1: this is a JSON array, but JSON Lines needs one object per line: write each record on its own line, like {\"x\": 1.5, \"label\": \"a\"}"
    );
    assert_eq!(
        jsonl("{\"x\": 1, \"label\": \"a\"}\n{\"x\": 2, \"label\": \"b\"\n"),
        "line 2: the line ends before the JSON object is closed (is a '}' or a '\"' missing?): every line must be one JSON object, like {\"x\": 1.5, \"label\": \"a\"}"
    );
}

#[test]
fn caps_on_cells_columns_and_names() {
    let big = "x".repeat(1_000_000);
    let text = format!("a,note,label\n1,{big},x\n");
    assert_eq!(
        message(&text),
        "line 2, column 'note': the value is 1000000 bytes long, more than the 100000 a cell may have: is a closing quote missing?"
    );
    let header: Vec<String> = (0..10_001).map(|i| format!("c{i}")).collect();
    assert_eq!(
        message(&format!("{}\n", header.join(","))),
        "the file has 10001 columns, more than the 10000 allowed: is the delimiter right?"
    );
    assert_eq!(
        message("a,b,a,label\n1,2,3,x\n"),
        "the column name 'a' appears twice (columns 1 and 3): rename one of them"
    );
}

#[test]
fn text_columns_become_tfidf_features() {
    let csv = "id,review,stars,label\n1,Good film good cast,5,pos\n2,Bad film,1,neg\n3,NA,3,\n";
    let opts = with(|o| o.id_column = Some("id".into()));
    let d = parse_text_csv(csv.as_bytes(), &opts, "review", &TextOptions::default()).unwrap();
    assert_eq!(
        d.feature_names,
        vec![
            "stars",
            "review:bad",
            "review:cast",
            "review:film",
            "review:good"
        ]
    );
    assert_eq!(d.report.text_column.as_deref(), Some("review"));
    assert_eq!(
        d.row(2),
        vec![3.0, 0.0, 0.0, 0.0, 0.0],
        "a missing text is empty"
    );
    let norm: f64 = d.row(0)[1..].iter().map(|v| v * v).sum();
    assert!((norm - 1.0).abs() < 1e-12);

    assert_eq!(
        parse_text_csv(csv.as_bytes(), &opts, "body", &TextOptions::default())
            .unwrap_err()
            .to_string(),
        "there is no column named 'body' (asked for as the text column); the columns are: id, review, stars, label"
    );
    assert_eq!(
        parse_text_csv(
            b"t,label\na,x\nb c,y\n",
            &opts,
            "t",
            &TextOptions::default()
        ),
        Err(DataError::UnknownColumn {
            role: "id".into(),
            name: "id".into(),
            available: "t, label".into()
        })
    );
    assert_eq!(
        parse_text_csv(b"t,label\na,x\nb c,y\n", &CsvOptions::named("t"), "t", &TextOptions::default())
            .unwrap_err()
            .to_string(),
        "the text column 't' has no terms to learn from: every text is empty or has only one-letter words"
    );
    let hashing = TextOptions {
        vectorizer: TextVectorizer::Hashing {
            n_features: 1 << 20,
        },
        ..TextOptions::default()
    };
    let mut many = String::from("t,label\n");
    for _ in 0..70 {
        many.push_str("hello world,x\n");
    }
    assert_eq!(
        parse_text_csv(many.as_bytes(), &CsvOptions::named("t"), "t", &hashing)
            .unwrap_err()
            .to_string(),
        "the features would be 70 rows × 1048576 columns = 73400320 values, more than the 64000000 allowed: ignore some columns, lower max_features, or use fewer rows"
    );
}

#[test]
fn bundled_datasets_import() {
    let d = bundled("iris");
    assert_eq!((d.n_rows(), d.n_features()), (150, 4));
    assert_eq!(d.class_names, vec!["setosa", "versicolor", "virginica"]);
    assert!(d.known_labels.iter().all(Option::is_some));
    assert!(d.report.header_detected);
    let d = bundled("wine");
    assert_eq!((d.n_rows(), d.n_features(), d.n_classes()), (178, 13, 3));
    let d = bundled("breast_cancer");
    assert_eq!((d.n_rows(), d.n_features(), d.n_classes()), (569, 30, 2));
    let d = bundled("digits");
    assert_eq!((d.n_rows(), d.n_classes()), (1797, 10));
    assert_eq!(d.n_features() + d.report.dropped_constant.len(), 64);
    let opts = with(|o| o.keep_constant_columns = true);
    assert_eq!(
        parse_csv(bundled_csv("digits"), &opts)
            .unwrap()
            .n_features(),
        64
    );
}

/// A date column becomes its features: the year, the month, the day of the year and the weekday
/// on circles, the time of day when it has one; a missing date gets each feature's mean and a
/// feature the same on every row (the month of a column of new years) is left out.
#[test]
fn dates_become_features_and_are_reported() {
    use crate::data::dates::{features, parse, DateFormat};
    let csv = "when,stamp,new_year,x,label\n\
               2012-01-31,2012-01-31T06:00:00Z,2001-01-01,1,a\n\
               2012-06-15,2012-06-15T18:30:00Z,2002-01-01,2,b\n\
               ,2013-12-24T12:00:00Z,2003-01-01,3,a\n\
               2013-03-01,2013-03-01T00:00:00Z,2004-01-01,4,b\n";
    let data = parse_csv(csv.as_bytes(), &CsvOptions::named("days.csv")).expect("imports");
    let names: Vec<&str> = data.feature_names.iter().map(String::as_str).collect();
    assert_eq!(
        names[..7],
        [
            "when:year",
            "when:month_sin",
            "when:month_cos",
            "when:day_of_year_sin",
            "when:day_of_year_cos",
            "when:weekday_sin",
            "when:weekday_cos"
        ]
    );
    assert!(names.contains(&"stamp:time_sin") && names.contains(&"stamp:time_cos"));
    // 1 January every year: only the year and the weekday vary.
    let new_year: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| n.starts_with("new_year:"))
        .collect();
    assert_eq!(
        new_year,
        [
            "new_year:year",
            "new_year:weekday_sin",
            "new_year:weekday_cos"
        ]
    );
    assert!(names.contains(&"x"));
    let expected = features(
        parse("2012-06-15", DateFormat::YearFirst).expect("a date"),
        false,
    );
    assert_eq!(data.features.row(1).to_vec()[..7], expected[..]);
    // The missing date: each feature's mean over the three dates.
    let year_mean = (2012.0 + 2012.0 + 2013.0) / 3.0;
    assert!((data.features[[2, 0]] - year_mean).abs() < 1e-12);
    let formats: Vec<(&str, &str)> = data
        .report
        .dates
        .iter()
        .map(|d| (d.column.as_str(), d.format.as_str()))
        .collect();
    assert_eq!(
        formats,
        [
            ("when", "year-month-day"),
            ("stamp", "year-month-day"),
            ("new_year", "year-month-day")
        ]
    );
    assert!(data
        .report
        .imputed
        .iter()
        .any(|c| c.column == "when" && c.cells == 1));
}

/// A mostly empty category of few values is suggested as partial labels when its values repeat
/// (labels do); notes written once each are not.
#[test]
fn partial_labels_are_suggested_only_when_their_values_repeat() {
    use crate::data::preview::{preview, LabelFound};
    let mut labels = String::from("u,v,kind\n");
    let mut notes = String::from("u,v,note\n");
    for i in 0..30 {
        let kind = match i {
            0 | 10 | 20 => "a",
            1 | 11 | 21 => "b",
            _ => "",
        };
        let note = match i {
            3 => "checked",
            7 => "re-potted",
            12 => "@home",
            _ => "",
        };
        labels.push_str(&format!("{i},{},{kind}\n", i % 7));
        notes.push_str(&format!("{i},{},{note}\n", i % 7));
    }
    let p = preview(labels.as_bytes(), "partly.csv", 3).expect("previews");
    assert_eq!(p.suggested.label.as_deref(), Some("kind"));
    assert_eq!(p.label_found, Some(LabelFound::PartlyLabeled));
    let p = preview(notes.as_bytes(), "notes.csv", 3).expect("previews");
    assert_eq!((p.suggested.label, p.label_found), (None, None));
}
