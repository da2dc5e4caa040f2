import { describePredictionFailure, predictionTable } from './predictionResult';

describe('predictionTable', () => {
  it('reads a tensor answer (the iris tutorial) into one row per instance under t:0…', () => {
    const answer = {
      data: { names: ['t:0', 't:1', 't:2'], tensor: { shape: [2, 3], values: [0.87, 0.13, 7.6e-6, 0.1, 0.2, 0.7] } },
      meta: {}
    };
    expect(predictionTable(answer)).toEqual({
      columns: ['t:0', 't:1', 't:2'],
      rows: [
        [0.87, 0.13, 7.6e-6],
        [0.1, 0.2, 0.7]
      ]
    });
  });

  it('reads an ndarray answer, naming unnamed columns t:<i>', () => {
    expect(predictionTable({ data: { ndarray: [[0.9, 0.1]] } })).toEqual({
      columns: ['t:0', 't:1'],
      rows: [[0.9, 0.1]]
    });
    expect(predictionTable({ data: { names: ['setosa'], ndarray: [[0.9, 0.1]] } })).toEqual({
      columns: ['setosa', 't:1'],
      rows: [[0.9, 0.1]]
    });
  });

  it('makes a flat answer (predict, not predict_proba) one value per row', () => {
    expect(predictionTable({ data: { names: [], ndarray: [0, 2] } })).toEqual({ columns: ['t:0'], rows: [[0], [2]] });
    expect(predictionTable({ data: { tensor: { shape: [3], values: [1, 2, 3] } } })).toEqual({
      columns: ['t:0', 't:1', 't:2'],
      rows: [[1, 2, 3]]
    });
  });

  it('is undefined for answers that are not tables', () => {
    expect(predictionTable({ strData: 'hi' })).toBeUndefined();
    expect(predictionTable({ jsonData: { a: 1 } })).toBeUndefined();
    expect(predictionTable({ data: { tensor: { shape: [2, 2], values: [1] } } })).toBeUndefined();
    expect(predictionTable('text')).toBeUndefined();
    expect(predictionTable(null)).toBeUndefined();
  });
});

describe('describePredictionFailure', () => {
  it("decodes seldon-core's error body into a sentence", () => {
    expect(
      describePredictionFailure(400, {
        status: { status: 1, info: 'Invalid request data type', code: -1, reason: 'MICROSERVICE_BAD_DATA' }
      })
    ).toBe('The model server could not use the request (HTTP 400): Invalid request data type.');
    expect(
      describePredictionFailure(500, {
        status: { code: -1, info: 'division by zero', reason: 'MICROSERVICE_INTERNAL_ERROR' }
      })
    ).toBe('The model server failed while predicting (HTTP 500): division by zero.');
  });

  it("says what PrimeHub's own refusals mean", () => {
    expect(
      describePredictionFailure(503, { status: { code: 503, info: 'deployment iris is Stopped', reason: 'STOPPED' } })
    ).toBe('The deployment is stopped (HTTP 503): deployment iris is Stopped.');
    expect(describePredictionFailure(401, 'Unauthorized')).toBe(
      'The endpoint is private: send a client name and token (HTTP 401): Unauthorized.'
    );
  });

  it('leaves out HTML error pages and explains bare statuses', () => {
    expect(describePredictionFailure(502, '<html><body>Bad Gateway</body></html>')).toBe(
      'The model server could not be reached (HTTP 502).'
    );
    expect(describePredictionFailure(418, '')).toBe('The endpoint refused the request (HTTP 418).');
  });
});
