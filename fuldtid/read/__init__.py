"""Reading the files a run is given: the export (every form SurveyXact writes), its text and size checks."""
